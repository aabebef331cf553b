"""Pooled bootstrap resamples: the same distribution as resampling units one by one, and paired A - B."""

from __future__ import annotations

import numpy as np
import pytest

from fsre_bench.metrics import count_units
from fsre_bench.metrics.resample import resampled_metric, resampled_sums


def _counts(correct: list[int], queries: int = 5) -> np.ndarray:
    return np.array([count_units(["x"] * c + ["y"] * (queries - c), ["x"] * queries, set()).as_row() for c in correct])


def test_each_resample_draws_as_many_units_as_there_are() -> None:
    counts = _counts([5, 4, 4, 1, 0, 3])
    sums = resampled_sums(counts, 200, np.random.default_rng(0))
    assert sums.shape == (200, 5) and np.all(sums[:, 1] == 6 * 5)  # column 1: queries, 6 units of 5
    assert resampled_sums(np.zeros((0, 5)), 3, np.random.default_rng(0)).tolist() == [[0.0] * 5] * 3


def test_pooled_draws_match_resampling_units_one_by_one() -> None:
    counts = _counts([5, 4, 4, 1, 0, 3, 2, 5, 5, 4])
    pooled = resampled_metric("accuracy", counts, 20000, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    naive = np.array([counts[rng.integers(0, len(counts), len(counts))].sum(0) for _ in range(20000)])
    naive_accuracy = naive[:, 0] / naive[:, 1]
    assert pooled.mean() == pytest.approx(counts[:, 0].sum() / counts[:, 1].sum(), abs=2e-3)
    assert pooled.std() == pytest.approx(naive_accuracy.std(), rel=0.03)


def test_paired_rows_give_the_difference_and_a_seed_gives_the_same_draws() -> None:
    a, b = _counts([5, 4, 3, 5]), _counts([4, 4, 2, 5])
    paired = np.hstack([a, b])
    diff = resampled_metric("accuracy", paired, 500, np.random.default_rng(3), paired=True)
    assert np.all(diff >= 0) and diff.mean() > 0  # A is never worse than B on any episode
    again = resampled_metric("accuracy", paired, 500, np.random.default_rng(3), paired=True)
    assert np.array_equal(diff, again)
    same = resampled_metric("accuracy", np.hstack([a, a]), 100, np.random.default_rng(3), paired=True)
    assert np.all(same == 0)
