"""Rich tables printed at the end of a run (the same numbers the result files hold)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table


def format_score(summary: dict[str, Any]) -> str:
    lo, hi = summary["ci95"]
    half = (hi - lo) / 2 * 100
    return f"{summary['mean'] * 100:.2f} ± {half:.2f}"


def print_outcomes(outcomes: Sequence[Any], console: Console | None = None) -> None:
    console = console or Console()
    table = Table(title="fsre-bench results (mean ± half-width of the 95% CI, in %)")
    for column in ("method", "setting", "metric", "score", "std over seeds", "episodes", "seeds", "time", "status"):
        table.add_column(column, justify="right" if column in ("score", "std over seeds", "episodes", "time") else "left")
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
            ",".join(map(str, result["seeds"])), f"{result['timing']['wall_s']:.1f}s", outcome.status,
        )
    console.print(table)
    paths = [str(o.result_path) for o in outcomes if o.result_path]
    if paths:
        console.print("result files:\n  " + "\n  ".join(paths))
