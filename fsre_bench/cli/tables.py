"""Rich tables printed at the end of a run (the same numbers the result files hold)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table


def format_score(summary: dict[str, Any]) -> str:
    lo, hi = summary["ci95"]
    half = (hi - lo) / 2 * 100
    return f"{summary['mean'] * 100:.2f} ± {half:.2f}"


_NO_WRAP = frozenset({"method", "setting", "metric", "score"})
_LOG_WIDTH = 130  # the table's natural width with the longest method names and five K-shot seeds


def log_friendly_console() -> Console:
    """The terminal's width on a terminal; a log file (not a TTY, no COLUMNS) gets the whole table."""
    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console = Console(width=_LOG_WIDTH)
    return console


_STATUS_STYLE = {"computed": "green", "reused": "yellow", "failed": "red"}


def _status_cell(status: str) -> str:
    style = _STATUS_STYLE.get(status)
    return f"[{style}]{status}[/]" if style else status


def _status(outcome: Any, result: dict[str, Any]) -> str:
    """The outcome, plus how many queries' LLM requests failed when any did (they score as wrong)."""
    failed = sum(int(row.get("failures") or 0) for row in result.get("per_seed", ()))
    if not failed:
        return _status_cell(outcome.status)
    colour = "red" if outcome.status == "failed" else "yellow"
    return f"[{colour}]{outcome.status}: {failed} queries' LLM requests failed[/]"


def print_outcomes(outcomes: Sequence[Any], console: Console | None = None) -> None:
    console = console or log_friendly_console()
    table = Table(title="fsre-bench results (mean ± half-width of the 95% CI, in %)")
    # Names and scores never wrap or truncate (a log file is often 80 columns): the rest gives way.
    for column in ("method", "setting", "metric", "score", "std/seeds", "episodes", "seeds", "time", "status"):
        table.add_column(column, justify="right" if column in ("score", "std/seeds", "episodes", "time") else "left",
                         no_wrap=column in _NO_WRAP)
    for outcome in outcomes:
        result = outcome.result
        if result is None:
            table.add_row(outcome.method, outcome.setting, "", "", "", "", "", "", f"[red]{outcome.status}[/]")
            continue
        primary = result["metrics"]["primary"]
        summary = result["metrics"][primary]
        std = summary["std_over_seeds"]
        episodes = result["episodes"]
        limited = " [red](limited)[/]" if episodes["limited"] else ""
        table.add_row(
            outcome.method, outcome.setting, primary.replace("_", "-"), format_score(summary),
            f"{std * 100:.2f}" if std is not None else "–", f"{episodes['effective']}{limited}",
            ",".join(map(str, result["seeds"])), f"{result['timing']['wall_s']:.1f}s", _status(outcome, result),
        )
    console.print(table)
    reused = [o for o in outcomes if o.status == "reused"]
    if reused:
        lines = [f"{o.method} {o.setting}: {o.reused_from}" for o in reused]
        console.print("[yellow]reused[/] (finished before this run, nothing recomputed; its time is the original "
                      "run's; --overwrite always recomputes):\n  " + "\n  ".join(lines), soft_wrap=True)
    notes = [f"{o.method} {o.setting}: {note}" for o in outcomes if o.result for note in result_notes(o.result)]
    if notes:
        console.print("[yellow]notes[/]:\n  " + "\n  ".join(notes), soft_wrap=True)
    paths = [str(o.result_path) for o in outcomes if o.result_path]
    if paths:
        console.print("result files:\n  " + "\n  ".join(paths), soft_wrap=True)


def result_notes(result: dict[str, Any]) -> list[str]:
    """What a reader must know before quoting the score: no training variance, degenerate output, provenance."""
    from fsre_bench.metrics.degenerate import DEGENERATE_SHARE, FAR_GAP
    from fsre_bench.metrics.seed_level import ONE_SEED_NOTE
    from fsre_bench.results.flags import (
        degenerate,
        is_dirty,
        is_mixed,
        provenance_states,
        training_variance_measured,
    )

    notes = []
    if not training_variance_measured(result):
        notes.append(f"{ONE_SEED_NOTE}; its CI covers episodes only, so no claim that it beats or trails "
                     "another method (run >= 3 seeds)")
    verdict = degenerate(result)
    if verdict:
        notes.append(f"degenerate: {verdict['pred_share']:.1%} of answers are {verdict['kind']} {verdict['value']!r} "
                     f"where gold has {verdict['gold_share']:.1%} (rule: >= {DEGENERATE_SHARE:.0%}, "
                     f">= {FAR_GAP * 100:.0f} points above gold)")
    if is_mixed(result) or is_dirty(result):
        notes.append(f"provenance {'mixed' if is_mixed(result) else 'dirty'}: {', '.join(provenance_states(result))}")
    return notes
