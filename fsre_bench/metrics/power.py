"""Power of the harness's paired t-test over seeds, and the minimum detectable Δ.

A comparison's per-seed Δ varies with the training seed (or K-shot split) and with the episodes it
was scored on: Var(Δ_seed) = σ²_train + v_episode / E, where v_episode is the variance of one
episode's paired Δ and E the episodes per seed. The test is the two-sided one-sample t-test of
mean Δ = 0 over n seeds (``student_t.t_test_p``); its power for a true Δ is the noncentral-t tail
probability, exact under normal per-seed Δ (tests/test_metrics_power.py checks it against a simulation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

ALPHA = 0.05
TARGET_POWER = 0.80
MAX_SEEDS = 200


def t_test_power(delta: float, sd: float, n: int, alpha: float = ALPHA) -> float:
    """Power of the two-sided one-sample t-test at ``n`` seeds whose Δ has standard deviation ``sd``."""
    if n < 2:
        return 0.0
    if sd <= 0:
        return 1.0 if delta != 0 else alpha
    df, noncentrality = n - 1, abs(delta) * np.sqrt(n) / sd
    critical = stats.t.ppf(1 - alpha / 2, df)
    power = float(stats.nct.sf(critical, df, noncentrality) + stats.nct.cdf(-critical, df, noncentrality))
    return power if np.isfinite(power) else 1.0  # scipy's nct gives NaN far beyond the critical value


def minimum_detectable_delta(sd: float, n: int, power: float = TARGET_POWER, alpha: float = ALPHA) -> float | None:
    """Smallest |Δ| the t-test over ``n`` seeds detects with ``power`` (None below 2 seeds)."""
    if n < 2:
        return None
    if sd <= 0:
        return 0.0
    high = sd
    while t_test_power(high, sd, n, alpha) < power:  # bracket the root (df = 1 needs a Δ of many sd)
        high *= 2
    return float(optimize.brentq(lambda d: t_test_power(d, sd, n, alpha) - power, 1e-12 * sd, high, xtol=1e-9 * sd))


def seeds_needed(delta: float, sd: float, power: float = TARGET_POWER, alpha: float = ALPHA) -> int | None:
    """Fewest seeds (>= 2) whose t-test reaches ``power`` for ``delta``; None if beyond MAX_SEEDS."""
    for n in range(2, MAX_SEEDS + 1):
        if t_test_power(delta, sd, n, alpha) >= power:
            return n
    return None


@dataclass(frozen=True)
class DeltaVariance:
    """What a per-seed Δ's variance is made of, estimated from one comparison (or one method)."""

    n_seeds: int
    units_per_seed: int  # episodes (episodic) or test queries (K-shot)
    seed_sd: float  # sd of the per-seed Δ as measured
    unit_variance: float  # variance of one unit's Δ (episode noise), so v / E is its share of Var(Δ_seed)

    @property
    def training_variance(self) -> float:
        """σ²_train: what more units per seed cannot remove (floored at 0: a negative estimate is noise)."""
        return max(0.0, self.seed_sd ** 2 - self.unit_variance / max(self.units_per_seed, 1))

    def sd_at(self, units_per_seed: int) -> float:
        return float(np.sqrt(self.training_variance + self.unit_variance / units_per_seed))


def units_needed(delta: float, variance: DeltaVariance, n_seeds: int, power: float = TARGET_POWER,
                 max_units: int = 10 ** 7) -> int | None:
    """Fewest units per seed that reach ``power`` at ``n_seeds`` seeds; None when training variance alone
    keeps the power below the target (more episodes cannot help: more seeds must)."""
    if t_test_power(delta, variance.sd_at(max_units), n_seeds) < power:
        return None
    low, high = 1, max_units
    while low < high:
        middle = (low + high) // 2
        if t_test_power(delta, variance.sd_at(middle), n_seeds) >= power:
            high = middle
        else:
            low = middle + 1
    return low


def unit_values(metric: str, counts: np.ndarray) -> np.ndarray:
    """Each unit's linearised contribution to its seed's score (their mean is the seed's score)."""
    from fsre_bench.metrics.population import ratio_parts

    numerator, denominator = ratio_parts(metric, counts)
    total = denominator.sum()
    score = numerator.sum() / total if total else 0.0
    scale = total / len(denominator) if len(denominator) else 1.0
    return score + (numerator - score * denominator) / (scale or 1.0)


def delta_variance(metric: str, counts_a: list[np.ndarray], counts_b: list[np.ndarray] | None = None
                   ) -> DeltaVariance:
    """Variance parts of the per-seed Δ of A − B on aligned units (B None: A against an unpaired method with
    the same variance, so both parts double: the conservative case when no partner is named)."""
    values = [unit_values(metric, a) - (unit_values(metric, b) if counts_b is not None else 0.0)
              for a, b in zip(counts_a, counts_b if counts_b is not None else counts_a, strict=True)]
    seed_scores = np.array([v.mean() for v in values])
    doubling = 1.0 if counts_b is not None else 2.0
    seed_sd = float(np.sqrt(doubling) * seed_scores.std(ddof=1)) if len(values) > 1 else float("nan")
    unit_variance = doubling * float(np.mean([v.var(ddof=1) for v in values]))
    return DeltaVariance(len(values), int(np.mean([len(v) for v in values])), seed_sd, unit_variance)
