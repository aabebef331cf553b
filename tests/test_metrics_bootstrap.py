"""Bootstrap intervals over episodes, the t interval over seeds, and paired comparisons: properties that must hold."""

from __future__ import annotations

import numpy as np
import pytest

from fsre_bench.metrics import count_units, paired_bootstrap, summarize_metric


def _episodes(correct_per_episode: list[int], queries: int = 5) -> np.ndarray:
    return np.array([count_units(["x"] * c + ["y"] * (queries - c), ["x"] * queries, set()).as_row()
                     for c in correct_per_episode])


def test_bootstrap_ci_contains_mean_and_is_deterministic():
    counts = _episodes([5, 4, 3, 5, 2, 1, 4, 5, 3, 4] * 10)
    a = summarize_metric("accuracy", [counts], n_bootstrap=500, seed=1)
    b = summarize_metric("accuracy", [counts], n_bootstrap=500, seed=1)
    assert a == b
    assert a.ci95[0] < a.mean < a.ci95[1]
    assert a.mean == pytest.approx(0.72)
    assert a.std_over_seeds is None
    # Episodes of 5 queries vary more than 500 independent queries would: the CI must be wider than
    # a binomial interval over queries (this is why we resample episodes, not queries).
    binomial_half = 1.96 * np.sqrt(0.72 * 0.28 / 500)
    assert (a.ci95[1] - a.ci95[0]) / 2 > binomial_half * 0.9


def test_bootstrap_of_constant_episodes_has_zero_width():
    summary = summarize_metric("accuracy", [_episodes([3] * 50)], n_bootstrap=200)
    assert summary.ci95 == pytest.approx((0.6, 0.6))


def test_mean_and_std_over_seeds():
    seeds = [_episodes([5] * 10), _episodes([4] * 10), _episodes([3] * 10)]
    summary = summarize_metric("accuracy", seeds, n_bootstrap=200)
    assert summary.per_seed == pytest.approx((1.0, 0.8, 0.6))
    assert summary.mean == pytest.approx(0.8)
    assert summary.std_over_seeds == pytest.approx(0.2)  # sample std of 1.0, 0.8, 0.6


def test_t_interval_over_seeds_for_kshot_splits():
    seeds = [_episodes([c], queries=100) for c in (60, 70, 80)]
    summary = summarize_metric("accuracy", seeds, unit="split")
    # mean 0.7, sd 0.1, t(0.975, 2) = 4.303 -> half width 0.1 * 4.303 / sqrt(3)
    # (4.303 is t to three decimals; the interval now uses scipy's exact 4.30265, hence rel=1e-4)
    half = 0.1 * 4.303 / np.sqrt(3)
    assert summary.ci95 == pytest.approx((0.7 - half, 0.7 + half), rel=1e-4)
    assert "Student-t" in summary.ci_method


def test_paired_bootstrap_detects_a_real_difference_and_not_a_fake_one():
    rng = np.random.default_rng(0)
    better = [int(x) for x in rng.integers(3, 6, size=200)]
    worse = [max(0, c - 1) for c in better]
    diff = paired_bootstrap("accuracy", [_episodes(better)], [_episodes(worse)], n_bootstrap=500)
    assert diff.mean_difference == pytest.approx((sum(better) - sum(worse)) / 1000)
    assert diff.excludes_zero and diff.p_value < 0.01
    same = paired_bootstrap("accuracy", [_episodes(better)], [_episodes(better)], n_bootstrap=200)
    assert same.mean_difference == 0 and not same.excludes_zero and same.p_value == 1.0


def test_paired_bootstrap_needs_aligned_units():
    with pytest.raises(ValueError, match="aligned"):
        paired_bootstrap("accuracy", [_episodes([1, 2])], [_episodes([1, 2, 3])])
