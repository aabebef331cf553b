"""A result's metrics from its per-seed log records: the one computation the runner writes and ``verify`` checks.

The runner (``runner.assemble``) and ``results.verify`` both call ``summarize_records``, so a result
recomputed from its predictions logs must come out equal to the one written, float for float.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fsre_bench.metrics import metric_from_counts, summarize_metric
from fsre_bench.metrics.seed_level import summarize_trained
from fsre_bench.results.counts import negative_labels, unit_counts

METRIC_NAMES = ("accuracy", "micro_f1")


def records_counts(records_per_seed: Sequence[Sequence[dict[str, Any]]], negative_label: str | None,
                   protocol: str) -> list[np.ndarray]:
    """Per seed, the scoring units' counts (K-shot: one row per query; else one per episode)."""
    negative = negative_labels(negative_label)
    return [unit_counts(records, negative, protocol == "kshot") for records in records_per_seed]


def summarize_counts(counts: Sequence[np.ndarray], *, protocol: str, trained: bool,
                     n_bootstrap: int) -> dict[str, dict[str, Any]]:
    """{metric: summary dict} as a result file's ``metrics`` holds them (without ``primary``)."""
    per_query = protocol == "kshot"
    unit = "split" if per_query and len(counts) > 1 else ("query" if per_query else "episode")
    summarize = summarize_trained if trained else summarize_metric  # a trained model's CI includes seed variance
    return {name: summarize(name, counts, unit=unit, n_bootstrap=n_bootstrap).to_dict() for name in METRIC_NAMES}


def seed_metrics(counts: np.ndarray) -> dict[str, float]:
    """One seed's point metrics from its summed counts (a result's ``per_seed[i].metrics``)."""
    summed = counts.sum(axis=0)
    return {name: float(metric_from_counts(name, summed)) for name in METRIC_NAMES}
