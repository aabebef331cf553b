"""Scores, bootstrap confidence intervals over episodes, and paired comparisons."""

from fsre_bench.metrics.bootstrap import (
    CI_BOOTSTRAP_EPISODES,
    CI_BOOTSTRAP_QUERIES,
    CI_T_OVER_SEEDS,
    MetricSummary,
    PairedDifference,
    paired_bootstrap,
    summarize_metric,
)
from fsre_bench.metrics.scores import (
    METRICS,
    UnitCounts,
    accuracy,
    count_units,
    metric_from_counts,
    micro_f1_excluding,
)

__all__ = [
    "CI_BOOTSTRAP_EPISODES",
    "CI_BOOTSTRAP_QUERIES",
    "CI_T_OVER_SEEDS",
    "METRICS",
    "MetricSummary",
    "PairedDifference",
    "UnitCounts",
    "accuracy",
    "count_units",
    "metric_from_counts",
    "micro_f1_excluding",
    "paired_bootstrap",
    "summarize_metric",
]
