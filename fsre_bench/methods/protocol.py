"""One interface for every method (DESIGN.md, "The contracts")."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta


@dataclass
class MethodConfig:
    """Everything a method is built with; ``options`` carries method-specific settings.

    The runner fills it from the run config. Methods read what they need and ignore the rest.
    """

    seed: int = 0
    encoder: str | None = None  # None = the embedded MiniLM
    device: str = "cpu"
    cache_dir: Path = field(default_factory=lambda: Path.home() / ".cache" / "fsre_bench")
    batch_size: int = 64
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


def options_read_by(method_class: type, options: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``options`` the method declares it reads (all of them without a declaration)."""
    keys: tuple[str, ...] | None = getattr(method_class, "option_keys", None)
    if keys is None:
        return dict(options)
    return {k: v for k, v in options.items() if any(k == key or (key.endswith("_") and k.startswith(key)) for key in keys)}


@runtime_checkable
class Method(Protocol):
    """A few-shot relation extraction method.

    ``__init__(config: MethodConfig)`` builds it; ``fit`` (optional work) trains on the
    training relations, cached by the method under ``config.cache_dir`` keyed by a config hash;
    ``predict`` labels the queries of many episodes at once so the method can share work
    (embedding cache, batched LLM calls), yielding one ``EpisodePrediction`` per episode in
    input order as soon as it is ready. ``close`` releases resources (servers, files).

    Optional class attribute ``option_keys``: the method options it reads (an entry ending in
    ``_`` is a prefix). Only those enter its config hash, so ``--knowledge`` for TKRE never makes
    ``proto`` recompute; a method without it has every option hashed (safe, never stale).
    """

    name: str

    @property
    def meta(self) -> MethodMeta: ...

    def fit(self, train: Dataset | None) -> None: ...

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]: ...

    def close(self) -> None: ...
