"""One interface for every method (DESIGN.md, "The contracts")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from fsre_bench.cache import cache_root
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta


@dataclass
class MethodConfig:
    """Everything a method is built with; ``options`` carries method-specific settings.

    The runner fills it from the run config. Methods read what they need and ignore the rest.
    """

    seed: int = 0
    encoder: str | None = None  # None = the embedded MiniLM
    device: str = "cpu"
    cache_dir: Path = field(default_factory=cache_root)  # $FSRE_BENCH_CACHE, as every other cache
    batch_size: int = 64
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


@runtime_checkable
class Method(Protocol):
    """A few-shot relation extraction method.

    ``__init__(config: MethodConfig)`` builds it; ``fit`` (optional work) trains on the
    training relations, cached by the method under ``config.cache_dir`` keyed by a config hash;
    ``predict`` labels the queries of many episodes at once so the method can share work
    (embedding cache, batched LLM calls), yielding one ``EpisodePrediction`` per episode in
    input order as soon as it is ready. ``close`` releases resources (servers, files).

    The options it reads are declared by its registry entry (``MethodSpec.reads``, fsre_bench/methods/spec.py);
    only those enter its config hash, so ``--knowledge`` for TKRE never makes ``proto`` recompute.
    A registry entry may pass extra keyword arguments (an ablation's ``variant``) after ``config``.
    """

    name: str

    @property
    def meta(self) -> MethodMeta: ...

    def fit(self, train: Dataset | None) -> None: ...

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]: ...

    def close(self) -> None: ...

