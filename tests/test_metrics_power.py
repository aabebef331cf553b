"""`fsre-bench power` and metrics/power.py against simulated experiments with a known Δ and variance."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fsre_bench.metrics.power import (
    DeltaVariance,
    delta_variance,
    minimum_detectable_delta,
    seeds_needed,
    t_test_power,
    units_needed,
)
from fsre_bench.metrics.student_t import t_interval

REPO = Path(__file__).resolve().parents[1]
RUNS = 20000


def _rejection_rate(rng: np.random.Generator, delta: float, sd: float, n: int) -> float:
    """Share of simulated experiments whose harness t-interval over n per-seed Δ excludes 0."""
    lo, hi = t_interval(rng.normal(delta, sd, size=(RUNS, n)))
    return float(np.mean((lo > 0) | (hi < 0)))


@pytest.mark.parametrize(("delta", "sd"), [(0.02, 0.015), (0.01, 0.004), (0.03, 0.05)])
def test_seeds_needed_reaches_80_percent_and_one_fewer_does_not(delta, sd):
    rng = np.random.default_rng(int(delta * 1e4 + sd * 1e5))
    n = seeds_needed(delta, sd)
    assert n is not None and n >= 3
    assert _rejection_rate(rng, delta, sd, n) >= 0.79  # Monte Carlo s.e. 0.3 points at 20,000 runs
    assert _rejection_rate(rng, delta, sd, n - 1) < 0.80
    assert t_test_power(delta, sd, n) == pytest.approx(_rejection_rate(rng, delta, sd, n), abs=0.015)


def test_the_issue_example_three_seeds_sd_1_5_has_27_percent_power_for_2_points():
    rng = np.random.default_rng(3)
    assert t_test_power(0.02, 0.015, 3) == pytest.approx(0.27, abs=0.01)
    assert _rejection_rate(rng, 0.02, 0.015, 3) == pytest.approx(0.27, abs=0.015)
    mde = minimum_detectable_delta(0.015, 3)
    assert _rejection_rate(rng, mde, 0.015, 3) == pytest.approx(0.80, abs=0.015)


def test_variance_parts_and_episodes_needed_match_a_simulated_episodic_run():
    """Episodes of 5 queries with a training-seed effect: the estimated parts recover the truth, and the
    episodes it says are needed give 80% power in a simulation at that many episodes."""
    rng = np.random.default_rng(11)
    seeds, episodes, train_sd, shift = 40, 1000, 0.004, 0.015

    def counts(n_seeds: int, n_episodes: int, offset: float) -> list[np.ndarray]:
        p = np.clip(0.6 + offset + rng.normal(0, train_sd, (n_seeds, 1)) + rng.uniform(-0.3, 0.3, (n_seeds, n_episodes)), 0, 1)
        correct = rng.binomial(5, p)
        return list(np.stack([correct, np.full_like(correct, 5), correct, np.full_like(correct, 5),
                              np.full_like(correct, 5)], -1))

    variance = delta_variance("accuracy", counts(seeds, episodes, shift), counts(seeds, episodes, 0.0))
    assert variance.training_variance ** 0.5 == pytest.approx(train_sd * 2 ** 0.5, rel=0.35)
    needed = units_needed(shift, variance, 5)
    assert needed is not None
    rates = []
    for _ in range(300):
        a, b = counts(5, needed, shift), counts(5, needed, 0.0)
        deltas = np.array([x[:, 0].sum() / x[:, 1].sum() - y[:, 0].sum() / y[:, 1].sum() for x, y in zip(a, b, strict=True)])
        lo, hi = t_interval(deltas)
        rates.append(lo > 0 or hi < 0)
    assert 0.70 <= np.mean(rates) <= 0.90  # 300 runs: s.e. 2.3 points around 80%


def test_more_episodes_cannot_beat_training_variance():
    variance = DeltaVariance(n_seeds=3, units_per_seed=1000, seed_sd=0.03, unit_variance=0.04)
    assert units_needed(0.02, variance, 3) is None
    assert seeds_needed(0.02, variance.seed_sd) > 3


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_power_command_on_the_committed_fewrel_results_prints_seeds_and_episodes():
    done = _cli("power", "--results", "results", "--dataset", "fewrel/val_wiki", "--setting", "5-1", "--delta", "2",
                "--reference", "proto-ft")
    assert done.returncode == 0, done.stderr
    tkre = next(line for line in done.stdout.splitlines() if line.startswith("tkre [knowledge=schema] − proto-ft"))
    # The committed per-seed Δ (tkre − proto-ft: -3.94, -2.28, -3.70) has sd 0.90 points: 4 seeds for 2 points.
    assert "3 seeds × 1000 episodes" in tkre and "sd of per-seed Δ 0.90" in tkre
    assert seeds_needed(0.02, float(np.std([-0.0394, -0.0228, -0.0370], ddof=1))) == 4
    assert "needs 4 seeds at 1000 episodes each" in done.stdout


def test_power_command_rejects_a_bad_delta_and_an_unknown_task_in_one_line():
    bad = _cli("power", "--dataset", "fewrel/val_wiki", "--setting", "5-1", "--delta", "-1")
    assert bad.returncode == 2 and "--delta" in bad.stderr and "Traceback" not in bad.stderr
    missing = _cli("power", "--dataset", "fewrel/val_wiki", "--setting", "7-3", "--delta", "2")
    assert missing.returncode == 2 and "7-3" in missing.stderr and "Traceback" not in missing.stderr
