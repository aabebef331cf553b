"""Coverage of the episode bootstrap (``summarize_metric``, ``paired_bootstrap``) on simulated runs with a known truth.

Right for frozen methods, where seeds only draw other episodes; too narrow for trained ones, which is why they get
the t over seeds (tests/test_metrics_seed_level_coverage.py). The simulation is tests/support/coverage_simulation.py's.
"""

from __future__ import annotations

import numpy as np
import pytest

from fsre_bench.metrics import paired_bootstrap, summarize_metric
from tests.support.coverage_simulation import (
    BAND,
    BOOTSTRAP_RUNS,
    SHIFT,
    TRUTH,
    count_rows,
    covered,
    paired_rows,
    simulate_correct,
)


@pytest.mark.parametrize("seeds", [1, 3])
def test_episode_bootstrap_covers_frozen_truth(seeds):
    """Frozen methods: seeds only draw other episodes, so the stratified episode bootstrap is enough."""
    rng = np.random.default_rng(3000 + seeds)
    rows = count_rows(simulate_correct(rng, BOOTSTRAP_RUNS, seeds, 1000, 0.0)[0])
    intervals = [summarize_metric("accuracy", list(run), n_bootstrap=1000, seed=i).ci95 for i, run in enumerate(rows)]
    coverage = covered(intervals, TRUTH)
    print(f"COVERAGE episode bootstrap, frozen, {seeds} seed(s): {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_paired_episode_bootstrap_covers_frozen_shift():
    rng = np.random.default_rng(4000)
    rows_a, rows_b = paired_rows(rng, BOOTSTRAP_RUNS, 3, 0.0)
    intervals = [paired_bootstrap("accuracy", list(a), list(b), n_bootstrap=1000, seed=i).ci95
                 for i, (a, b) in enumerate(zip(rows_a, rows_b, strict=True))]
    coverage = covered(intervals, SHIFT)
    print(f"COVERAGE paired episode bootstrap, frozen, 3 seeds: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_episode_bootstrap_misses_training_variance():
    """Why trained methods need the seed-level interval: the episode bootstrap treats each model as fixed."""
    rng = np.random.default_rng(5000)
    rows = count_rows(simulate_correct(rng, 300, 3, 1000, 0.03)[0])
    intervals = [summarize_metric("accuracy", list(run), n_bootstrap=300, seed=i).ci95 for i, run in enumerate(rows)]
    coverage = covered(intervals, TRUTH)
    print(f"COVERAGE episode bootstrap applied to a trained method (seed sd 0.03): {coverage:.4f}")
    assert coverage < 0.6

