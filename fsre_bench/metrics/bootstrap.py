"""Confidence intervals that respect the sampling unit.

Queries of one episode share supports, so the bootstrap resamples whole episodes; with several
seeds it resamples within each seed (stratified) and averages the per-seed metric, matching how
the point estimate is formed. For K-shot RC (one split per seed) the dominant variance is the
choice of the K-shot split, so with >= 2 seeds the interval is a Student-t interval over seeds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from fsre_bench.metrics.resample import resampled_metric
from fsre_bench.metrics.scores import metric_from_counts
from fsre_bench.metrics.student_t import t_interval

CI_BOOTSTRAP_EPISODES = "bootstrap over episodes, stratified by seed (percentile, B={b})"
CI_BOOTSTRAP_QUERIES = "bootstrap over test queries, stratified by seed (percentile, B={b})"
CI_T_OVER_SEEDS = "Student-t interval over seed scores (n={n})"

DEFAULT_BOOTSTRAP_SEED = 20250512
DEFAULT_N_BOOTSTRAP = 10000


@dataclass(frozen=True)
class MetricSummary:
    mean: float
    ci95: tuple[float, float]
    ci_method: str
    std_over_seeds: float | None
    per_seed: tuple[float, ...]

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ci95"] = list(self.ci95)
        d["per_seed"] = list(self.per_seed)
        return d


@dataclass(frozen=True)
class PairedDifference:
    """Method A minus method B on the same units."""

    mean_difference: float
    ci95: tuple[float, float]
    p_value: float
    n_bootstrap: int

    @property
    def excludes_zero(self) -> bool:
        return self.ci95[0] > 0 or self.ci95[1] < 0

    def to_dict(self) -> dict:
        return {**asdict(self), "ci95": list(self.ci95), "excludes_zero": self.excludes_zero}


def summarize_metric(
    metric: str,
    counts_per_seed: Sequence[np.ndarray],
    *,
    unit: str = "episode",
    n_bootstrap: int = DEFAULT_N_BOOTSTRAP,
    seed: int = DEFAULT_BOOTSTRAP_SEED,
) -> MetricSummary:
    """Mean over seeds of the per-seed metric, its 95% CI, and the std over seeds.

    ``counts_per_seed[s]`` has one row of 5 counts per unit (episode, or query for K-shot).
    """
    per_seed = tuple(float(metric_from_counts(metric, c.sum(axis=0))) for c in counts_per_seed)
    mean = float(np.mean(per_seed))
    std = float(np.std(per_seed, ddof=1)) if len(per_seed) > 1 else None
    if unit == "split" and len(per_seed) > 1:
        ci, method = _t_interval(per_seed), CI_T_OVER_SEEDS.format(n=len(per_seed))
    else:
        replicates = _stratified_replicates(metric, counts_per_seed, n_bootstrap, seed)
        ci = _percentile_ci(replicates)
        template = CI_BOOTSTRAP_EPISODES if unit == "episode" else CI_BOOTSTRAP_QUERIES
        method = template.format(b=n_bootstrap)
    return MetricSummary(mean, ci, method, std, per_seed)


def paired_bootstrap(
    metric: str,
    counts_a: Sequence[np.ndarray],
    counts_b: Sequence[np.ndarray],
    *,
    n_bootstrap: int = DEFAULT_N_BOOTSTRAP,
    seed: int = DEFAULT_BOOTSTRAP_SEED,
) -> PairedDifference:
    """Bootstrap of metric(A) - metric(B) resampling the SAME units for both (rows must align)."""
    for a, b in zip(counts_a, counts_b, strict=True):
        if a.shape != b.shape:
            raise ValueError(f"paired bootstrap needs aligned units: {a.shape} vs {b.shape}")
    point = np.mean([metric_from_counts(metric, a.sum(0)) - metric_from_counts(metric, b.sum(0))
                     for a, b in zip(counts_a, counts_b, strict=True)])
    stacked = [np.concatenate([a, b], axis=1) for a, b in zip(counts_a, counts_b, strict=True)]
    diffs = _stratified_replicates(metric, stacked, n_bootstrap, seed, paired=True)
    # Two-sided p-value of "no difference": how often the resampled difference crosses zero.
    p_value = min(1.0, 2.0 * min(np.mean(diffs <= 0), np.mean(diffs >= 0)))
    return PairedDifference(float(point), _percentile_ci(diffs), float(p_value), n_bootstrap)


def _stratified_replicates(
    metric: str, counts_per_seed: Sequence[np.ndarray], n_bootstrap: int, seed: int, paired: bool = False
) -> np.ndarray:
    """One metric value per bootstrap replicate: resample units within each seed, average seeds."""
    rng = np.random.default_rng(seed)
    totals = np.zeros(n_bootstrap)
    for counts in counts_per_seed:
        totals += resampled_metric(metric, counts, n_bootstrap, rng, paired)
    return totals / len(counts_per_seed)


def _percentile_ci(replicates: np.ndarray) -> tuple[float, float]:
    lo, hi = np.percentile(replicates, [2.5, 97.5])
    return float(lo), float(hi)


def _t_interval(values: Sequence[float]) -> tuple[float, float]:
    lo, hi = t_interval(np.asarray(values, dtype=np.float64))  # the one t implementation (student_t.py)
    return float(lo), float(hi)
