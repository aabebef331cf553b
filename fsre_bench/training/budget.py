"""What a training stage spent: optimizer steps, texts, tokens and wall time (recorded in method meta).

Every trained method keeps one ``StageBudget`` per stage, so "matched budget" claims can be
checked against the numbers in the result files instead of a docstring.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class StageBudget:
    steps: int = 0  # optimizer steps
    texts: int = 0  # texts through the encoder in training steps (repeats counted)
    tokens: int = 0  # real (non-pad) subword tokens of those texts
    wall_s: float = 0.0
    _started: float = field(default_factory=time.perf_counter, repr=False)

    def add_step(self, texts: int, tokens: int) -> None:
        self.steps += 1
        self.texts += texts
        self.tokens += tokens

    def stop(self) -> StageBudget:
        self.wall_s = round(time.perf_counter() - self._started, 2)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {"steps": self.steps, "texts": self.texts, "tokens": self.tokens, "wall_s": self.wall_s}

    def so_far(self) -> dict[str, Any]:
        """What was spent up to now, the stage still running (a checkpoint's budget)."""
        return {**self.as_dict(), "wall_s": round(time.perf_counter() - self._started, 2)}


def total_budget(stages: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Sum of per-stage budgets (each a dict with steps, texts, tokens, wall_s)."""
    keys = ("steps", "texts", "tokens", "wall_s")
    total = {k: sum(stage.get(k, 0) or 0 for stage in stages.values()) for k in keys}
    total["wall_s"] = round(total["wall_s"], 2)
    return total


def spent(**stages: dict[str, Any] | None) -> dict[str, Any]:
    """``{"stages": {name: budget}, "total": sum}`` of the stages that ran (None or empty: did not run)."""
    ran = {name: budget for name, budget in stages.items() if budget}
    return {"stages": ran, "total": total_budget(ran)}
