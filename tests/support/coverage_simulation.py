"""The simulated runs behind the coverage tests (tests/test_metrics_*_coverage.py), with a known truth.

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

TRUTH, EPISODE_SPREAD, QUERIES = 0.55, 0.3, 5
SHIFT = 0.012  # B's true deficit vs A in the paired simulations (about a TKRE ablation's size)
RUNS = 4000  # Monte Carlo s.e. of a 95% coverage: 0.34 points, so 94-96% is about +-3 s.e.
BAND = (0.94, 0.96)
BOOTSTRAP_RUNS = 2000  # each run resamples B=1000 times: s.e. 0.49 points, the CI time budget's limit


def simulate_correct(rng: np.random.Generator, runs: int, seeds: int, episodes: int, seed_sd: float,
                     difficulty: np.ndarray | None = None, shift: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Correct answers per (run, seed, episode), and the episode difficulties (to pair a second method)."""
    if difficulty is None:
        difficulty = rng.uniform(-EPISODE_SPREAD, EPISODE_SPREAD, size=(runs, seeds, episodes))
    seed_effect = rng.normal(0.0, seed_sd, size=(runs, seeds, 1))
    return rng.binomial(QUERIES, np.clip(TRUTH - shift + seed_effect + difficulty, 0, 1)), difficulty


def count_rows(correct: np.ndarray) -> np.ndarray:
    """The runner's 5 counts per episode (accuracy: correct, total; F1 columns alike, no NOTA)."""
    return accuracy_rows(correct, np.full(correct.shape, QUERIES))


def paired_rows(rng: np.random.Generator, runs: int, seeds: int, seed_sd: float) -> tuple[np.ndarray, np.ndarray]:
    """Count rows of methods A and B on the same 1000 episodes per seed; B is SHIFT lower."""
    a, difficulty = simulate_correct(rng, runs, seeds, 1000, seed_sd)
    b, _ = simulate_correct(rng, runs, seeds, 1000, seed_sd, difficulty=difficulty, shift=SHIFT)
    return count_rows(a), count_rows(b)


def covered(intervals: list[tuple[float, float]], truth: float) -> float:
    """The share of (lo, hi) intervals that hold the truth."""
    bounds = np.array(intervals)
    return float(np.mean((bounds[:, 0] <= truth) & (truth <= bounds[:, 1])))


def accuracy_rows(correct: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Count rows for accuracy (no negative class: the F1 columns are accuracy's)."""
    return np.stack([correct, total, correct, total, total], axis=-1)


def covered_between(lo: np.ndarray, hi: np.ndarray, truth: float | np.ndarray) -> float:
    """The share of intervals [lo, hi] that hold the truth."""
    return float(np.mean((lo <= truth) & (truth <= hi)))
