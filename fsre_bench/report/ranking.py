"""How a leaderboard table is ordered, and which ranks each row could hold given the uncertainty.

Order rule: each table ranks by one declared column, the average over settings when every row has
every setting, else the protocol's headline setting. Rows without that column are listed after,
in their own group, unranked: a mean over whichever settings a row happens to have ranks rows on
different tasks (a row with only the easy 5-5 setting would outrank one with all four).

Rank interval: every pair of ranked rows is compared on the ranked column, paired where the rows
share episode files (the same tests the ablation table uses), and the family of all pairs is
Holm-corrected. Row i's ranks run from 1 + (rows significantly better than i) to
n - (rows significantly worse than i), so rows the data cannot tell apart share ranks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from scipy import stats

from fsre_bench.metrics import paired_bootstrap
from fsre_bench.results import ResultFile


class LeaderboardTable(Protocol):
    """What ranking needs of a leaderboard table (leaderboard.LeaderboardTable; a Protocol keeps imports one-way)."""

    protocol: str
    metric: str
    settings: list[str]
    cells: dict[str, dict[str, ResultFile]]

    def average(self, label: str) -> float | None: ...

AVERAGE_COLUMN = "Avg"
# The setting each protocol's papers report first (FewRel 5-way 1-shot; the fewest shots for K-shot RC).
HEADLINE_SETTINGS = {"episodic": "5-1", "natural-nota": "5-1", "kshot": "K=8"}
FAMILY_ALPHA = 0.05
N_BOOTSTRAP = 1000  # as the runner's and the ablation table's paired bootstrap
BOOTSTRAP_SEED = 0

PAIRED_SEEDS = "seed-level t over per-seed Δ"
PAIRED_EPISODES = "paired bootstrap over episodes"
UNPAIRED = "unpaired normal test from the two CIs"
NO_CLAIM = "1 training seed: no claim"


@dataclass(frozen=True)
class PairComparison:
    """Row ``better`` (higher mean) vs ``worse`` on the ranked column; ``significant`` after Holm."""

    better: str
    worse: str
    difference: float
    p_value: float
    method: str
    significant: bool = False


@dataclass(frozen=True)
class Ranking:
    """The ranked column, ranked rows (best first) with their rank intervals, and the unranked rows after."""

    column: str
    ranked: tuple[str, ...]
    unranked: tuple[str, ...]
    intervals: dict[str, tuple[int, int]]
    comparisons: tuple[PairComparison, ...]

    @property
    def order(self) -> list[str]:
        return [*self.ranked, *self.unranked]

    def rank_text(self, label: str) -> str:
        """``1``, ``2–4``; unranked rows ``–``."""
        if label not in self.intervals:
            return "–"
        lo, hi = self.intervals[label]
        return str(lo) if lo == hi else f"{lo}–{hi}"


def holm(p_values: Sequence[float], alpha: float = FAMILY_ALPHA) -> list[bool]:
    """Holm's step-down procedure: which hypotheses are rejected, family-wise error ≤ alpha."""
    order = sorted(range(len(p_values)), key=lambda i: (p_values[i], i))
    rejected = [False] * len(p_values)
    for step, index in enumerate(order):
        if p_values[index] > alpha / (len(p_values) - step):
            break
        rejected[index] = True
    return rejected


def ranking_column(table: LeaderboardTable) -> str:
    """Avg when every row has every setting (and there are several); else the headline setting, if present."""
    if len(table.settings) > 1 and all(len(row) == len(table.settings) for row in table.cells.values()):
        return AVERAGE_COLUMN
    headline = HEADLINE_SETTINGS.get(table.protocol)
    return headline if headline in table.settings else table.settings[0]


def column_mean(table: LeaderboardTable, label: str, column: str) -> float | None:
    if column == AVERAGE_COLUMN:
        return table.average(label)
    run = table.cells[label].get(column)
    return None if run is None else run.summary(table.metric)["mean"]


def rank_table(table: LeaderboardTable, alpha: float = FAMILY_ALPHA) -> Ranking:
    """The order rule and the Holm-corrected rank intervals of one table."""
    column = ranking_column(table)
    means = {label: column_mean(table, label, column) for label in table.cells}
    ranked = sorted((label for label in means if means[label] is not None), key=lambda lb: (-means[lb], lb))
    unranked = sorted(label for label in means if means[label] is None)
    raw = [_compare(table, column, a, b) for i, a in enumerate(ranked) for b in ranked[i + 1:]]
    verdicts = holm([c.p_value for c in raw], alpha)
    comparisons = tuple(PairComparison(c.better, c.worse, c.difference, c.p_value, c.method, v)
                        for c, v in zip(raw, verdicts, strict=True))
    return Ranking(column, tuple(ranked), tuple(unranked), rank_intervals(ranked, comparisons), comparisons)


def rank_intervals(ranked: Sequence[str], comparisons: Sequence[PairComparison]) -> dict[str, tuple[int, int]]:
    """[1 + #significantly better, n − #significantly worse] for each ranked row."""
    beaten_by = {label: 0 for label in ranked}
    beats = {label: 0 for label in ranked}
    for comparison in comparisons:
        if comparison.significant:
            beaten_by[comparison.worse] += 1
            beats[comparison.better] += 1
    return {label: (1 + beaten_by[label], len(ranked) - beats[label]) for label in ranked}


def _compare(table: LeaderboardTable, column: str, a: str, b: str) -> PairComparison:
    """Two rows on the ranked column; ``a`` sorts first, so Δ = a − b ≥ 0."""
    if column == AVERAGE_COLUMN:
        deltas = [_seed_deltas(table.cells[a][s], table.cells[b][s], table.metric) for s in table.settings]
        if any(d is None for d in deltas) or len(deltas[0]) < 2:
            return PairComparison(a, b, 0.0, 1.0, NO_CLAIM if deltas[0] is not None else UNPAIRED)
        per_seed = np.mean(np.stack(deltas), axis=0)  # the per-seed difference of the averages
        return PairComparison(a, b, float(per_seed.mean()), t_test_p(per_seed), PAIRED_SEEDS)
    difference, p_value, method = compare_runs(table.cells[a][column], table.cells[b][column], table.metric)
    return PairComparison(a, b, difference, p_value, method)


def compare_runs(run_a: ResultFile, run_b: ResultFile, metric: str) -> tuple[float, float, str]:
    """(Δ, two-sided p, how): the ablation table's paired test where both ran the same episodes."""
    from fsre_bench.report.ablation import difference_interval

    difference = run_a.summary(metric)["mean"] - run_b.summary(metric)["mean"]
    if _per_seed_files(run_a) != _per_seed_files(run_b):
        return difference, unpaired_p(run_a, run_b, metric), UNPAIRED
    rule = difference_interval([run_a, run_b], len(run_a.result["seeds"]))
    if rule == "none":
        return difference, 1.0, NO_CLAIM
    if rule == "seed-level":
        deltas = _seed_deltas(run_a, run_b, metric)
        return difference, t_test_p(np.asarray(deltas)), PAIRED_SEEDS
    counts_a, counts_b = _aligned_episode_counts(run_a, run_b)
    paired = paired_bootstrap(metric, counts_a, counts_b, n_bootstrap=N_BOOTSTRAP, seed=BOOTSTRAP_SEED)
    return difference, paired.p_value, PAIRED_EPISODES


def _per_seed_files(run: ResultFile) -> tuple[tuple[int, str], ...]:
    return tuple((row["seed"], row["episode_file_sha256"]) for row in run.result["per_seed"])


def _seed_deltas(run_a: ResultFile, run_b: ResultFile, metric: str) -> list[float] | None:
    """Per-seed score differences from the result files, when both rows ran the same episode file per seed."""
    if _per_seed_files(run_a) != _per_seed_files(run_b):
        return None
    return [a["metrics"][metric] - b["metrics"][metric]
            for a, b in zip(run_a.result["per_seed"], run_b.result["per_seed"], strict=True)]


def _aligned_episode_counts(run_a: ResultFile, run_b: ResultFile) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Per-episode count rows of both runs, b's reordered to a's episodes (same episode files, checked above)."""
    from fsre_bench.report.ablation import unit_counts_by_key

    keys_a, counts_a = unit_counts_by_key(run_a, per_query=False)
    keys_b, counts_b = unit_counts_by_key(run_b, per_query=False)
    aligned_b = []
    for seed_keys_a, seed_keys_b, seed_counts_b in zip(keys_a, keys_b, counts_b, strict=True):
        position = {key: i for i, key in enumerate(seed_keys_b)}
        aligned_b.append(np.stack([seed_counts_b[position[key]] for key in seed_keys_a]))
    return counts_a, aligned_b


def t_test_p(deltas: np.ndarray) -> float:
    """Two-sided one-sample t-test of mean Δ = 0 over seeds (all-equal Δ: 0 if non-zero, else 1)."""
    deltas = np.asarray(deltas, dtype=np.float64)
    if len(deltas) < 2:
        return 1.0
    spread = deltas.std(ddof=1)
    if spread == 0:
        return 1.0 if deltas.mean() == 0 else 0.0
    statistic = deltas.mean() / (spread / np.sqrt(len(deltas)))
    return float(2 * stats.t.sf(abs(statistic), len(deltas) - 1))


def unpaired_p(run_a: ResultFile, run_b: ResultFile, metric: str) -> float:
    """Rows on different episodes: a normal test of Δ with each standard error read back from its 95% CI."""
    se_a, se_b = _standard_error(run_a, metric), _standard_error(run_b, metric)
    difference = run_a.summary(metric)["mean"] - run_b.summary(metric)["mean"]
    spread = float(np.hypot(se_a, se_b))
    if spread == 0:
        return 1.0 if difference == 0 else 0.0
    return float(2 * stats.norm.sf(abs(difference) / spread))


def _standard_error(run: ResultFile, metric: str) -> float:
    """Half-width / quantile: Student-t (n − 1 df) for intervals over seeds, normal for bootstrap ones."""
    summary = run.summary(metric)
    half = (summary["ci95"][1] - summary["ci95"][0]) / 2
    n_seeds = len(run.result["seeds"])
    over_seeds = summary["ci_method"].startswith("Student-t") and n_seeds >= 2
    return half / (stats.t.ppf(0.975, n_seeds - 1) if over_seeds else stats.norm.ppf(0.975))


def ranking_note(table: LeaderboardTable, ranking: Ranking) -> str:
    """What the table is ordered by and what a rank interval is, in words under the table."""
    if ranking.column == AVERAGE_COLUMN:
        why = "the average over settings (every row has every setting)"
    else:
        why = f"{ranking.column}, the headline setting" + (
            "" if len(table.settings) == 1 else " (not every row has every setting)")
    after = "; rows without it are listed after, unranked" if ranking.unranked else ""
    n_pairs = len(ranking.comparisons)
    return (f"Ranked by {why}{after}. Rank: the ranks consistent with the data: every pair of ranked rows compared "
            f"on that column ({PAIRED_SEEDS} for trained methods and K-shot splits, {PAIRED_EPISODES} "
            f"(B={N_BOOTSTRAP}) otherwise, on the same episode files; an {UNPAIRED} where rows ran different "
            f"episodes), Holm-corrected over the {n_pairs} pair(s) at α = {FAMILY_ALPHA}; "
            f"rows sharing a rank are not told apart.")
