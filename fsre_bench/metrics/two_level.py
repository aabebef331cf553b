"""Two-level bootstrap: resample seeds, then whole episodes within each resampled seed.

Kept as the alternative the coverage simulation measures (tests/test_metrics_two_level_coverage.py): at 3-5 seeds
its percentile interval covers the truth less often than the t-interval over seeds
(``seed_level.py``), which is the interval the harness reports for trained methods.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fsre_bench.metrics.resample import resampled_metric

CI_TWO_LEVEL = "two-level bootstrap: seeds, then episodes within each seed (percentile, B={b})"


def two_level_replicates(
    metric: str, counts_per_seed: Sequence[np.ndarray], n_bootstrap: int, rng: np.random.Generator,
    paired: bool = False,
) -> np.ndarray:
    """One mean-over-seeds value per replicate; ``paired`` rows are [A's 5 counts, B's 5 counts] (A - B)."""
    n_seeds = len(counts_per_seed)
    # Every (replicate, slot) gets its own episode resample of every seed; the seed drawn for the slot picks one.
    values = np.stack([resampled_metric(metric, counts, n_bootstrap * n_seeds, rng, paired).reshape(n_bootstrap, n_seeds)
                       for counts in counts_per_seed])
    chosen = rng.integers(0, n_seeds, size=(n_bootstrap, n_seeds))
    return np.take_along_axis(values, chosen[None], axis=0)[0].mean(axis=1)


def two_level_ci(
    metric: str, counts_per_seed: Sequence[np.ndarray], n_bootstrap: int, rng: np.random.Generator,
    paired: bool = False,
) -> tuple[float, float]:
    lo, hi = np.percentile(two_level_replicates(metric, counts_per_seed, n_bootstrap, rng, paired), [2.5, 97.5])
    return float(lo), float(hi)

