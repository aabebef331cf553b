"""Coverage of the t over seeds (``seed_level_ci``, ``paired_seed_difference``) on simulated runs with a known truth.

The simulation is tests/support/coverage_simulation.py's; the cases the t over seeds does not assume (heavy-tailed
seed effects, collapsing seeds) come last. Each coverage is over 4,000 simulated runs: the Monte Carlo s.e. of a 95%
coverage is 0.34 points, so the 94-96% band is about 3 s.e. wide on either side.
"""

from __future__ import annotations

import numpy as np
import pytest

from fsre_bench.metrics.degenerate import degenerate_verdict, prediction_distribution
from fsre_bench.metrics.seed_level import paired_seed_difference, seed_level_ci
from tests.support.coverage_simulation import (
    BAND,
    RUNS,
    SHIFT,
    TRUTH,
    accuracy_rows,
    count_rows,
    covered,
    covered_between,
    paired_rows,
    simulate_correct,
)


@pytest.mark.parametrize("seeds", [3, 5])
@pytest.mark.parametrize("seed_sd", [0.01, 0.03])  # seed effect ~ episode noise; seed effect dominating
def test_seed_level_interval_covers_trained_truth(seeds, seed_sd):
    rng = np.random.default_rng(1000 * seeds + int(seed_sd * 1000))
    rows = count_rows(simulate_correct(rng, RUNS, seeds, 1000, seed_sd)[0])
    coverage = covered([seed_level_ci("accuracy", list(run))[0] for run in rows], TRUTH)
    print(f"COVERAGE t over {seeds} seeds, seed sd {seed_sd}: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


@pytest.mark.parametrize("seeds", [3, 5])
@pytest.mark.parametrize("seed_sd", [0.01, 0.03])
def test_seed_level_paired_difference_covers_true_shift(seeds, seed_sd):
    rng = np.random.default_rng(2000 * seeds + int(seed_sd * 1000))
    rows_a, rows_b = paired_rows(rng, RUNS, seeds, seed_sd)
    intervals = [paired_seed_difference("accuracy", list(a), list(b)).ci95 for a, b in zip(rows_a, rows_b, strict=True)]
    coverage = covered(intervals, SHIFT)
    print(f"COVERAGE paired t over {seeds} seeds, seed sd {seed_sd}: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage



def test_heavy_tailed_seed_effects_t_over_seeds():
    """Training-seed effects from a t(3) distribution (occasional bad seeds), 5 seeds x 500 episodes of 5."""
    rng = np.random.default_rng(101)
    effect = 0.015 * rng.standard_t(3, size=(RUNS, 5, 1))
    correct = rng.binomial(5, np.clip(0.6 + effect + rng.uniform(-0.2, 0.2, (RUNS, 5, 500)), 0, 1))
    rows = accuracy_rows(correct, np.full(correct.shape, 5))
    bounds = np.array([seed_level_ci("accuracy", list(run))[0] for run in rows])
    coverage = covered_between(bounds[:, 0], bounds[:, 1], 0.6)  # t(3) is symmetric with mean 0: the truth stays 0.6
    print(f"COVERAGE heavy-tailed seeds (t3), t over 5 seeds: {coverage:.4f}")
    # The t-interval is conservative under symmetric heavy tails (measured 96.1%): the band's upper edge is
    # widened to 97% for this case only, and README says so; below 94% would fail as everywhere else.
    assert BAND[0] <= coverage <= 0.97, coverage


def test_collapsing_seeds_are_flagged_per_seed_and_the_rest_cover():
    """A seed collapses (answers one label) with probability 0.1. The pooled rule misses one collapsed seed of
    3; the per-seed check flags every such run, and the runs that keep their ± cover the working-seed truth."""
    rng = np.random.default_rng(202)
    runs, seeds, episodes, n_way = RUNS, 3, 300, 5
    collapsed = rng.random((runs, seeds)) < 0.1
    effect = rng.normal(0, 0.02, (runs, seeds, 1))
    correct = rng.binomial(5, np.clip(0.6 + effect + rng.uniform(-0.2, 0.2, (runs, seeds, episodes)), 0, 1))
    correct = np.where(collapsed[..., None], rng.binomial(5, 1 / n_way, (runs, seeds, episodes)), correct)
    flagged = np.array([_any_seed_degenerate(rng, collapsed[r], n_way) for r in range(runs)])
    assert np.array_equal(flagged, collapsed.any(axis=1))
    pooled_flags = [_pooled_degenerate(collapsed[r], n_way) for r in range(200) if collapsed[r].sum() == 1]
    assert pooled_flags and not any(pooled_flags)  # what the per-seed check is for
    rows = accuracy_rows(correct, np.full(correct.shape, 5))[~flagged]
    bounds = np.array([seed_level_ci("accuracy", list(run))[0] for run in rows])
    coverage = covered_between(bounds[:, 0], bounds[:, 1], 0.6)
    print(f"COVERAGE collapsing seeds (p=0.1), unflagged runs ({len(rows)}), t over 3 seeds: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


def _seed_labels(collapsed: bool, n_way: int, n: int = 200) -> tuple[list[str], list[str]]:
    gold = [str(i % n_way) for i in range(n)]
    pred = ["0"] * n if collapsed else [g if i % 5 else str((int(g) + 1) % n_way) for i, g in enumerate(gold)]
    return pred, gold


def _any_seed_degenerate(rng: np.random.Generator, collapsed: np.ndarray, n_way: int) -> bool:
    for seed_collapsed in collapsed:
        pred, gold = _seed_labels(bool(seed_collapsed), n_way)
        distribution = prediction_distribution([(sorted(set(gold)), pred, gold)])
        if degenerate_verdict(distribution, kinds=("labels",)):
            return True
    return False


def _pooled_degenerate(collapsed: np.ndarray, n_way: int) -> bool:
    episodes = [(sorted({str(i) for i in range(n_way)}), *_seed_labels(bool(c), n_way)) for c in collapsed]
    return degenerate_verdict(prediction_distribution(episodes), kinds=("labels",)) is not None

