"""The Student-t quantile behind every interval over seeds: exact (scipy), not a table."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import t

from fsre_bench.metrics import count_units, summarize_metric
from fsre_bench.metrics.student_t import t_quantile


def _seed(correct: int, queries: int = 10) -> np.ndarray:
    """One seed of ten one-query episodes, ``correct`` of them right."""
    return np.array([count_units(["x"], ["x" if i < correct else "y"], set()).as_row() for i in range(queries)])


def test_t_interval_over_seeds_uses_the_exact_student_t_quantile():
    # The old hand-written table answered 1.96 for df > 30 and df=10's value for df 11..14.
    for df in (1, 4, 12, 31, 100):
        assert t_quantile(df) == pytest.approx(t.ppf(0.975, df), rel=1e-12)
    assert t_quantile(12) == pytest.approx(2.1788, abs=1e-4)
    assert t_quantile(40) == pytest.approx(2.0211, abs=1e-4)
    scores = [_seed(10), _seed(8), _seed(6)]
    summary = summarize_metric("accuracy", scores, unit="split")
    half = (summary.ci95[1] - summary.ci95[0]) / 2
    assert half == pytest.approx(t.ppf(0.975, 2) * 0.2 / 3 ** 0.5)
