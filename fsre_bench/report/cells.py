"""What a leaderboard cell and its table's notes say: score format, flags beside it, harness state.

Every cell is mean ± 95% CI half-width (K-shot too: its std over splits stays in the result files);
flags (limited, mixed or dirty provenance, degenerate output, one training seed) are words beside
the score, each explained under the table it appears in.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fsre_bench.results.flags import (
    UNKNOWN_STATE,
    degenerate,
    harness_state,
    is_dirty,
    is_mixed,
    provenance_states,
    training_variance_measured,
)
from fsre_bench.results.model import EXTERNAL

if TYPE_CHECKING:
    from fsre_bench.results import ResultFile

LIMITED_MARK = "⚠ limited"
MIXED_MARK = "⚠ mixed"
DIRTY_MARK = "⚠ dirty"
DEGENERATE_MARK = "degenerate"
ONE_SEED_MARK = "(1 seed)"
DECLARED_MARK = "†"  # beside an external row's method facts


def cell_convention(protocol: str) -> str:
    """What a cell's ± is: the half-width of the interval that generalises (report/population_ci.py)."""
    if protocol == "kshot":
        return ("Cells: mean ± half-width of the 95% CI over new test sentences and new K-shot splits (t, two-way "
                "random effects: every split scores the same test set), in %. The CI for this test set (t over the "
                "splits) is in the result files. No ± on a degenerate or zero-variance row.")
    return ("Cells: mean ± half-width of the 95% CI over new relations and seeds (t, two-way random effects: "
            "relations, then episodes), in %. The CI for these relations (trained methods: t over training seeds; "
            "frozen: episode bootstrap) is in the result files. No ± on a degenerate or zero-variance row.")


def harness_note(runs: Sequence[ResultFile]) -> str:
    """The harness state(s) the table's predictions came from: one, or the list and the rows marked ⚠."""
    states = sorted({state for run in runs for state in provenance_states(run.result)})
    if len(states) == 1 and states[0] != UNKNOWN_STATE:
        return f"Harness: fsre-bench {states[0]}."
    known = [state for state in states if state != UNKNOWN_STATE]
    predicted = f"seeds predicted at {', '.join(known)}" + ("; others unrecorded" if UNKNOWN_STATE in states else "") \
        if known else "no row records the harness state of its seeds"
    written = sorted({harness_state(run.result.get("harness")) for run in runs})
    return (f"Harness: not one state ({predicted}; result files written by {', '.join(written)}). "
            f"Rows marked {MIXED_MARK} need a rerun at one clean commit.")


def flag_legend(runs: Sequence[ResultFile]) -> list[str]:
    legend = []
    if any(run.limited for run in runs):
        legend.append(f"{LIMITED_MARK} limited run (`--limit`): fewer episodes than requested, not for reporting.")
    if any(is_mixed(run.result) for run in runs):
        legend.append(f"{MIXED_MARK}: the seeds do not come from one recorded harness state (different states, or "
                      "predicted before per-seed provenance was recorded).")
    if any(is_dirty(run.result) for run in runs):
        legend.append(f"{DIRTY_MARK}: predicted from a working tree with uncommitted changes.")
    if any(degenerate(run.result) for run in runs):
        legend.append(f"{DEGENERATE_MARK}: ≥ 90% of answers on one position or label where gold is ≥ 30 points "
                      "lower there (README, \"Degenerate outputs\").")
    if any(not training_variance_measured(run.result) for run in runs):
        legend.append(f"{ONE_SEED_MARK}: 1 training seed, training variance not measured.")
    if any(run.provenance == EXTERNAL for run in runs):
        legend.append(f"(external): scored by `fsre-bench score` from predictions made outside the harness on these "
                      f"episode files; {DECLARED_MARK} declared by the submitter, not verified.")
    return ["", *legend] if legend else []


def format_training_data(names: Sequence[str]) -> str:
    """``semeval2010/train``; K-shot splits (one per seed) as ``K-shot splits kshot-k8-s13/21/42/87/100``,
    and a row's splits at several K with the same seeds as ``kshot-k8/16-s13/21/42/87/100``."""
    splits = [name.removeprefix("kshot:") for name in names if name.startswith("kshot:")]
    if not splits or len(splits) != len(names):
        return ", ".join(names)
    seeds_of: dict[str, list[str]] = {}
    for split in splits:
        stem, _, seed = split.rpartition("-s")
        seeds_of.setdefault(stem, []).append(seed)
    seed_lists = {tuple(seeds) for seeds in seeds_of.values()}
    if len(seeds_of) == 1:
        ((stem, seeds),) = seeds_of.items()
        return f"K-shot splits {stem}-s" + "/".join(seeds)
    if len(seed_lists) == 1 and all(stem.startswith("kshot-k") for stem in seeds_of):
        ks = "/".join(stem.removeprefix("kshot-k") for stem in seeds_of)
        return f"K-shot splits kshot-k{ks}-s" + "/".join(seed_lists.pop())
    return "K-shot splits " + ", ".join(splits)


def format_cell(summary: dict[str, Any], protocol: str) -> str:
    """Mean ± half-width of the generalising CI when the summary carries it (``population_ci95``; None: no ±);
    otherwise the old convention: K-shot mean ± std over splits, else mean ± CI half-width."""
    if "population_ci95" in summary:
        ci = summary["population_ci95"]
        return f"{summary['mean'] * 100:.2f}" if ci is None else format_mean_ci(summary["mean"], ci)
    if protocol != "kshot":
        return format_mean_ci(summary["mean"], summary["ci95"])
    std = summary["std_over_seeds"]
    return f"{summary['mean'] * 100:.2f}" + (f" ± {std * 100:.2f}" if std is not None else " (1 split)")


def cell_marks(run: ResultFile) -> list[str]:
    """The flags printed beside a score (legend under the table)."""
    marks = [LIMITED_MARK] if run.limited else []
    if is_mixed(run.result):
        marks.append(MIXED_MARK)
    if is_dirty(run.result):
        marks.append(DIRTY_MARK)
    if degenerate(run.result):
        marks.append(DEGENERATE_MARK)
    if not training_variance_measured(run.result):
        marks.append(ONE_SEED_MARK)
    return marks


def format_mean_ci(mean: float, ci95: Sequence[float]) -> str:
    """Percent, mean ± half-width of the 95% CI (the same convention as the `run` table)."""
    return f"{mean * 100:.2f} ± {(ci95[1] - ci95[0]) / 2 * 100:.2f}"
