"""The benchmark runner: plan, run methods with resume, assemble result files.

Names are loaded on first use: the CLI builds its ``run`` flags from ``runner.config`` at every start,
and importing the runner itself (metrics, scipy) would cost every ``--help`` about a second.
"""

from __future__ import annotations

from typing import Any

_WHERE = {"KSHOT_SEEDS": "fsre_bench.runner.config", "RunConfig": "fsre_bench.runner.config",
          "UNPARSED": "fsre_bench.runner.runner", "UnitOutcome": "fsre_bench.runner.runner",
          "run": "fsre_bench.runner.runner"}

__all__ = ["KSHOT_SEEDS", "UNPARSED", "RunConfig", "UnitOutcome", "run"]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_WHERE[name]), name)
