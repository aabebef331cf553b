"""Intervals that include training-seed variance: a Student-t interval over per-seed scores.

A trained method's score varies with the training seed as well as with the episodes. Each
per-seed score already carries that seed's episode noise, so the spread of the per-seed scores
measures both, and a t-interval over them is exact when they are normal. The coverage simulation
(tests/test_metrics_seed_level_coverage.py) checks it at 3 and 5 seeds x 1000 episodes and shows why the two-level
bootstrap (``two_level.py``) is not used instead: with 3 seeds it covers the truth far less than
95% of the time (resampling 3 values understates their spread, and it has no t correction).

Paired differences (an ablation vs its reference, or method vs method on the same episodes) use
the same interval over the per-seed differences, each computed on paired per-episode counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np

from fsre_bench.metrics.bootstrap import MetricSummary, summarize_metric
from fsre_bench.metrics.scores import metric_from_counts
from fsre_bench.metrics.student_t import t_interval, t_test_p

CI_T_OVER_TRAINING_SEEDS = "Student-t interval over training-seed scores (n={n}; includes training variance)"
CI_T_OVER_SEED_DIFFERENCES = "Student-t interval over per-seed paired differences (n={n}; includes training variance)"
ONE_SEED_NOTE = "1 seed: training variance not measured"


def per_seed_scores(metric: str, counts_per_seed: Sequence[np.ndarray]) -> np.ndarray:
    """The metric of each seed from its summed unit counts (the runner's point estimate per seed)."""
    return np.array([float(metric_from_counts(metric, np.asarray(c).sum(axis=0))) for c in counts_per_seed])


def seed_level_ci(metric: str, counts_per_seed: Sequence[np.ndarray]) -> tuple[tuple[float, float], str]:
    """The 95% CI of the mean over >= 2 training seeds, and its ``ci_method`` text."""
    lo, hi = t_interval(per_seed_scores(metric, counts_per_seed))
    return (float(lo), float(hi)), CI_T_OVER_TRAINING_SEEDS.format(n=len(counts_per_seed))


@dataclass(frozen=True)
class SeedPairedDifference:
    """Metric(A) - metric(B) per seed on the same episodes, and a t-interval over seeds (None with 1 seed)."""

    mean_difference: float
    ci95: tuple[float, float] | None
    per_seed: tuple[float, ...]
    p_value: float | None
    ci_method: str

    @property
    def n_seeds(self) -> int:
        return len(self.per_seed)

    @property
    def seeds_agreeing(self) -> int:
        """Seeds whose Δ has the sign of the mean Δ (a zero Δ agrees with nothing)."""
        sign = np.sign(self.mean_difference)
        return int(sum(np.sign(d) == sign and d != 0 for d in self.per_seed))

    @property
    def excludes_zero(self) -> bool:
        """Never true without a measured training variance: one seed supports no claim about Δ."""
        return self.ci95 is not None and (self.ci95[0] > 0 or self.ci95[1] < 0)

    def to_dict(self) -> dict:
        return {**asdict(self), "ci95": list(self.ci95) if self.ci95 else None, "per_seed": list(self.per_seed),
                "n_seeds": self.n_seeds, "seeds_agreeing": self.seeds_agreeing, "excludes_zero": self.excludes_zero}


def paired_seed_difference(
    metric: str, counts_a: Sequence[np.ndarray], counts_b: Sequence[np.ndarray]
) -> SeedPairedDifference:
    """Per-seed Δ from aligned per-episode counts (rows must pair up), then a t-interval over the seeds."""
    for a, b in zip(counts_a, counts_b, strict=True):
        if np.shape(a) != np.shape(b):
            raise ValueError(f"paired difference needs aligned units: {np.shape(a)} vs {np.shape(b)}")
    deltas = per_seed_scores(metric, counts_a) - per_seed_scores(metric, counts_b)
    mean = float(deltas.mean())
    if len(deltas) < 2:
        return SeedPairedDifference(mean, None, tuple(map(float, deltas)), None, ONE_SEED_NOTE)
    lo, hi = t_interval(deltas)
    return SeedPairedDifference(mean, (float(lo), float(hi)), tuple(map(float, deltas)), t_test_p(deltas),
                                CI_T_OVER_SEED_DIFFERENCES.format(n=len(deltas)))


def summarize_trained(metric: str, counts_per_seed: Sequence[np.ndarray], *, unit: str, n_bootstrap: int) -> MetricSummary:
    """A trained method's summary: with >= 2 seeds its CI is the t-interval over seeds (training variance
    included); with one seed the episode bootstrap, and ``ci_method`` says training variance was not measured."""
    summary = summarize_metric(metric, counts_per_seed, unit=unit, n_bootstrap=n_bootstrap)
    if len(counts_per_seed) < 2:
        return replace(summary, ci_method=f"{summary.ci_method}; {ONE_SEED_NOTE}")
    if unit == "split":  # K-shot: already a t-interval over seeds, whose splits and training both vary
        return summary
    ci, method = seed_level_ci(metric, counts_per_seed)
    return replace(summary, ci95=ci, ci_method=method)
