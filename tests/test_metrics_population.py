"""The interval over relations and seeds that the leaderboard shows, on cases with a known answer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fsre_bench.metrics.population import population_interval


def test_population_interval_with_equal_relations_reduces_to_the_t_over_relations():
    """One seed: the interval is a t over the relations' accuracies (the linearised cells are those accuracies
    when every relation has the same number of queries)."""
    rng = np.random.default_rng(0)
    accuracies = rng.uniform(0.3, 0.9, 16)
    correct = np.round(accuracies * 100).astype(int)
    counts = [np.array([[int(i < c), 1, int(i < c), 1, 1] for c in correct for i in range(100)])]
    clusters = [[r for r in range(16) for _ in range(100)]]
    lo, hi = population_interval("accuracy", counts, clusters)
    acc = correct / 100
    half = stats.t.ppf(0.975, 15) * acc.std(ddof=1) / 4
    assert (lo, hi) == pytest.approx((acc.mean() - half, acc.mean() + half))
