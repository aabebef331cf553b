"""Coverage of every 95% interval the harness reports, on simulated runs with a known truth.

A simulated run: S seeds x E episodes of 5 queries. Seed s has a training effect u_s ~ N(0, sd);
episode i of seed s has difficulty v_si ~ U(-0.3, 0.3); each query is right with probability
0.55 + u_s + v_si. The truth is 0.55 (the expected score over training seeds and episodes).
A frozen method has sd = 0. For paired differences, A and B share the episodes (the same v_si)
and have their own seed effects; the truth is the shift between them.

Each interval must cover the truth in 94-96% of 4000 runs (Monte Carlo s.e. 0.34 points).
The harness's own functions are called once per run; the simulation itself is vectorised.
"""

from __future__ import annotations

import numpy as np
import pytest

from fsre_bench.metrics import paired_bootstrap, summarize_metric
from fsre_bench.metrics.seed_level import paired_seed_difference, seed_level_ci
from fsre_bench.metrics.two_level import two_level_ci

TRUTH, EPISODE_SPREAD, QUERIES = 0.55, 0.3, 5
SHIFT = 0.012  # B's true deficit vs A in the paired simulations (about a TKRE ablation's size)
RUNS = 4000  # Monte Carlo s.e. of a 95% coverage: 0.34 points, so 94-96% is about +-3 s.e.
BAND = (0.94, 0.96)
BOOTSTRAP_RUNS = 2000  # each run resamples B=1000 times: s.e. 0.49 points, the CI time budget's limit


def _correct(rng: np.random.Generator, runs: int, seeds: int, episodes: int, seed_sd: float,
             difficulty: np.ndarray | None = None, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Correct answers per (run, seed, episode), and the episode difficulties (to pair a second method)."""
    if difficulty is None:
        difficulty = rng.uniform(-EPISODE_SPREAD, EPISODE_SPREAD, size=(runs, seeds, episodes))
    seed_effect = rng.normal(0.0, seed_sd, size=(runs, seeds, 1))
    return rng.binomial(QUERIES, np.clip(TRUTH - shift + seed_effect + difficulty, 0, 1)), difficulty


def _count_rows(correct: np.ndarray) -> np.ndarray:
    """The runner's 5 counts per episode (accuracy: correct, total; F1 columns alike, no NOTA)."""
    total = np.full(correct.shape, QUERIES)
    return np.stack([correct, total, correct, total, total], axis=-1)


def _paired_rows(rng: np.random.Generator, runs: int, seeds: int, seed_sd: float) -> tuple[np.ndarray, np.ndarray]:
    a, difficulty = _correct(rng, runs, seeds, 1000, seed_sd)
    b, _ = _correct(rng, runs, seeds, 1000, seed_sd, difficulty=difficulty, shift=SHIFT)
    return _count_rows(a), _count_rows(b)


def _covered(intervals: list[tuple[float, float]], truth: float) -> float:
    bounds = np.array(intervals)
    return float(np.mean((bounds[:, 0] <= truth) & (truth <= bounds[:, 1])))


@pytest.mark.parametrize("seeds", [3, 5])
@pytest.mark.parametrize("seed_sd", [0.01, 0.03])  # seed effect ~ episode noise; seed effect dominating
def test_seed_level_interval_covers_trained_truth(seeds, seed_sd):
    rng = np.random.default_rng(1000 * seeds + int(seed_sd * 1000))
    rows = _count_rows(_correct(rng, RUNS, seeds, 1000, seed_sd)[0])
    coverage = _covered([seed_level_ci("accuracy", list(run))[0] for run in rows], TRUTH)
    print(f"COVERAGE t over {seeds} seeds, seed sd {seed_sd}: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


@pytest.mark.parametrize("seeds", [3, 5])
@pytest.mark.parametrize("seed_sd", [0.01, 0.03])
def test_seed_level_paired_difference_covers_true_shift(seeds, seed_sd):
    rng = np.random.default_rng(2000 * seeds + int(seed_sd * 1000))
    rows_a, rows_b = _paired_rows(rng, RUNS, seeds, seed_sd)
    intervals = [paired_seed_difference("accuracy", list(a), list(b)).ci95 for a, b in zip(rows_a, rows_b, strict=True)]
    coverage = _covered(intervals, SHIFT)
    print(f"COVERAGE paired t over {seeds} seeds, seed sd {seed_sd}: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


@pytest.mark.parametrize("seeds", [1, 3])
def test_episode_bootstrap_covers_frozen_truth(seeds):
    """Frozen methods: seeds only draw other episodes, so the stratified episode bootstrap is enough."""
    rng = np.random.default_rng(3000 + seeds)
    rows = _count_rows(_correct(rng, BOOTSTRAP_RUNS, seeds, 1000, 0.0)[0])
    intervals = [summarize_metric("accuracy", list(run), n_bootstrap=1000, seed=i).ci95 for i, run in enumerate(rows)]
    coverage = _covered(intervals, TRUTH)
    print(f"COVERAGE episode bootstrap, frozen, {seeds} seed(s): {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_paired_episode_bootstrap_covers_frozen_shift():
    rng = np.random.default_rng(4000)
    rows_a, rows_b = _paired_rows(rng, BOOTSTRAP_RUNS, 3, 0.0)
    intervals = [paired_bootstrap("accuracy", list(a), list(b), n_bootstrap=1000, seed=i).ci95
                 for i, (a, b) in enumerate(zip(rows_a, rows_b, strict=True))]
    coverage = _covered(intervals, SHIFT)
    print(f"COVERAGE paired episode bootstrap, frozen, 3 seeds: {coverage:.4f}")
    assert BAND[0] <= coverage <= BAND[1], coverage


def test_episode_bootstrap_misses_training_variance():
    """Why trained methods need the seed-level interval: the episode bootstrap treats each model as fixed."""
    rng = np.random.default_rng(5000)
    rows = _count_rows(_correct(rng, 300, 3, 1000, 0.03)[0])
    intervals = [summarize_metric("accuracy", list(run), n_bootstrap=300, seed=i).ci95 for i, run in enumerate(rows)]
    coverage = _covered(intervals, TRUTH)
    print(f"COVERAGE episode bootstrap applied to a trained method (seed sd 0.03): {coverage:.4f}")
    assert coverage < 0.6


def test_two_level_bootstrap_undercovers_with_few_seeds():
    """Why the harness reports the t-interval: resampling 3 seed scores understates their spread."""
    rng = np.random.default_rng(6000)
    rows = _count_rows(_correct(rng, 400, 3, 1000, 0.03)[0])
    intervals = [two_level_ci("accuracy", list(run), 400, rng) for run in rows]
    coverage = _covered(intervals, TRUTH)
    print(f"COVERAGE two-level bootstrap, 3 seeds (seed sd 0.03): {coverage:.4f}")
    assert coverage < 0.88
