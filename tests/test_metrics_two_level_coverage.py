"""Coverage of the two-level bootstrap (``two_level_ci``), kept as the alternative the t over seeds beats.

The simulation is tests/support/coverage_simulation.py's.
"""

from __future__ import annotations

import numpy as np

from fsre_bench.metrics.two_level import two_level_ci
from tests.support.coverage_simulation import TRUTH, count_rows, covered, simulate_correct


def test_two_level_bootstrap_undercovers_with_few_seeds():
    """Why the harness reports the t-interval: resampling 3 seed scores understates their spread."""
    rng = np.random.default_rng(6000)
    rows = count_rows(simulate_correct(rng, 400, 3, 1000, 0.03)[0])
    intervals = [two_level_ci("accuracy", list(run), 400, rng) for run in rows]
    coverage = covered(intervals, TRUTH)
    print(f"COVERAGE two-level bootstrap, 3 seeds (seed sd 0.03): {coverage:.4f}")
    assert coverage < 0.88

