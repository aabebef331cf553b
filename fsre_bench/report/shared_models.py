"""Which fitted models a result shares with other results (the fit cache keys its seeds record).

5-5 and the -desc rows reuse the encoders fitted for 5-1 (same cache keys, ``reused: true``), so two
rows on shared models are one set of models, not two replications: a comparison counts independent
models, and a report that shows such rows says which ones they share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fsre_bench.results import ResultFile


def fitted_model_keys(run: ResultFile) -> tuple[frozenset[str], ...]:
    """Per seed: the cache keys of the fitted models its predictions came from (empty for frozen methods)."""
    keys = []
    for seed_row in run.result["per_seed"]:
        models = (seed_row.get("provenance") or {}).get("fitted_models") or []
        keys.append(frozenset(model["cache_key"] for model in models))
    return tuple(keys)


def independent_models(run: ResultFile) -> int:
    """Distinct fitted models behind a result: its seeds unless two seeds share a fitted model."""
    per_seed = fitted_model_keys(run)
    if not any(per_seed):
        return len(per_seed)
    distinct: list[frozenset[str]] = []
    for keys in per_seed:
        if not any(keys & seen for seen in distinct):
            distinct.append(keys)
    return len(distinct)


def shares_models_with(run: ResultFile, others: Sequence[ResultFile]) -> list[ResultFile]:
    """The other results any of whose seeds used a fitted model one of ``run``'s seeds used."""
    mine = frozenset().union(*fitted_model_keys(run))
    if not mine:
        return []
    return [other for other in others if other.path != run.path
            and mine & frozenset().union(*fitted_model_keys(other))]


def shared_label(run: ResultFile) -> str:
    """``tkre-desc 5-1``: a result named by what a reader can find in the tables."""
    return f"{run.method_label} {run.setting}"
