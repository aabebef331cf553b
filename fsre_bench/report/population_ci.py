"""The generalising interval of a result, per-seed degenerate checks and negative-class numbers, read from
its predictions logs: the one place reports call metrics/population.py from.

Episodic protocols cluster queries by gold relation (the interval generalises to new relations);
K-shot clusters by test sentence (every split scores the same test set, so the interval generalises
to new test sentences as well as new splits). A degenerate seed, or a row with no variance, gets no
interval: a ± there would claim a precision the row does not have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from fsre_bench.errors import DataError
from fsre_bench.metrics.degenerate import degenerate_verdict, prediction_distribution
from fsre_bench.metrics.negative_class import negative_class_stats
from fsre_bench.metrics.population import CI_OVER_RELATIONS, CI_OVER_SENTENCES, population_interval
from fsre_bench.results import negative_labels, unit_counts
from fsre_bench.results.flags import degenerate

if TYPE_CHECKING:
    from fsre_bench.results import ResultFile

_cache: dict[tuple[str, str], dict[str, Any]] = {}


def population_summary(run: ResultFile, metric: str) -> dict[str, Any]:
    """``{"ci95": (lo, hi) | None, "ci_method": str, "why_no_ci": str | None}`` for the leaderboard cell."""
    key = (str(run.path), metric)
    if key not in _cache:
        _cache[key] = _compute(run, metric)
    return _cache[key]


def _compute(run: ResultFile, metric: str) -> dict[str, Any]:
    method = CI_OVER_SENTENCES if run.protocol == "kshot" else CI_OVER_RELATIONS
    try:
        records = run.predictions_records()
    except (DataError, OSError) as error:  # no logs beside the result: the conditional CI is all there is
        return {"ci95": None, "ci_method": method, "why_no_ci": f"predictions logs unreadable ({error})"}
    why = _no_interval_reason(run, records)
    if why:
        return {"ci95": None, "ci_method": method, "why_no_ci": why}
    negative = negative_labels(run.result["dataset"].get("negative_label"))
    counts = [unit_counts(seed_records, negative, per_query=True) for _, seed_records in records]
    if run.protocol == "kshot":
        clusters = [list(range(len(c))) for c in counts]
        _check_shared_test_set(run, records)
    else:
        clusters = [[gold for record in seed_records for gold in record["gold"]] for _, seed_records in records]
    return {"ci95": population_interval(metric, counts, clusters), "ci_method": method, "why_no_ci": None}


def _no_interval_reason(run: ResultFile, records: list[tuple[str, list[dict[str, Any]]]]) -> str | None:
    if degenerate(run.result):
        return "degenerate output"
    for seed, (_, seed_records) in zip(run.result["seeds"], records, strict=True):
        # Positions need each episode's relation order (the episode files); labels are in the log itself.
        pairs = ((sorted(set(r["gold"])), r["pred"], r["gold"]) for r in seed_records)
        verdict = degenerate_verdict(prediction_distribution(pairs), kinds=("labels",))
        if verdict:
            return f"seed {seed} degenerate ({verdict['value']} {verdict['pred_share']:.0%} of answers)"
    scores = [seed_row["metrics"][run.primary_metric] for seed_row in run.result["per_seed"]]
    if len(scores) > 1 and np.ptp(scores) == 0:
        return "zero variance over seeds"
    return None


def _check_shared_test_set(run: ResultFile, records: list[tuple[str, list[dict[str, Any]]]]) -> None:
    """K-shot splits must score the same test sentences in the same order for sentence clusters to pair."""
    golds = [[g for r in seed_records for g in r["gold"]] for _, seed_records in records]
    if any(gold != golds[0] for gold in golds[1:]):
        raise DataError(f"{run.path}: the K-shot splits' predictions logs do not list one shared test set in one order")


def negative_class(run: ResultFile) -> dict[str, Any] | None:
    """Pooled and per-seed precision/recall of the dataset's negative label (K-shot's Other), or None."""
    label = run.result["dataset"].get("negative_label")
    if not label:
        return None
    records = run.predictions_records()
    per_seed = [negative_class_stats(((r["pred"], r["gold"]) for r in seed_records), label)
                for _, seed_records in records]
    pooled = negative_class_stats(((r["pred"], r["gold"]) for _, seed_records in records for r in seed_records), label)
    return {**pooled, "per_seed": per_seed}


def population_cell(run: ResultFile, metric: str) -> dict[str, Any]:
    """The keys a leaderboard cell reads: ``population_ci95`` (None: print no ±) and why."""
    summary = population_summary(run, metric)
    return {"population_ci95": summary["ci95"], "population_ci_method": summary["ci_method"],
            "population_why_no_ci": summary["why_no_ci"]}
