"""Time a seed took over every process that worked on it, so a resumed seed reports its whole cost.

Each process appends a line to ``<log>.timing.jsonl`` after an episode at most once a second, and
once at the end (flushed, not fsynced: a kill loses about a second), with its own run id and its
cumulative fit and predict seconds. A seed's timing sums the last line of every run and counts the runs. The file sits next
to the predictions log and is removed with it, so recomputed work never inherits old seconds.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from fsre_bench.output_paths import writing

INTERVAL_S = 1.0  # a 10,000-episode seed writes a line a second, not one per episode


class SeedTimer:
    """One process's seconds on one seed, appended as they accrue."""

    def __init__(self, path: Path, fit_s: float, resumed_from_episode: int):
        self.path, self.run_id = path, uuid.uuid4().hex[:12]
        self.fit_s, self.resumed_from_episode = fit_s, resumed_from_episode
        self._handle: Any = None
        self._last_written = -INTERVAL_S

    def record(self, predict_s: float, final: bool = False) -> None:
        if not final and predict_s - self._last_written < INTERVAL_S:
            return
        self._last_written = predict_s
        with writing(self.path):
            if self._handle is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held open across episodes
            line = {"run": self.run_id, "fit_s": round(self.fit_s, 3), "predict_s": round(predict_s, 3),
                    "resumed_from_episode": self.resumed_from_episode}
            self._handle.write(json.dumps(line, sort_keys=True) + "\n")
            self._handle.flush()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def seed_timing(path: Path) -> dict[str, Any]:
    """fit_s, predict_s and wall_s summed over the runs in ``path``; ``runs`` and where the last resumed."""
    last: dict[str, dict[str, Any]] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                entry = json.loads(line)
                last[str(entry["run"])] = entry
            except (json.JSONDecodeError, KeyError, TypeError):
                continue  # a line torn by a kill: that run's previous line stands
    fit = sum(float(e.get("fit_s", 0.0)) for e in last.values())
    predict = sum(float(e.get("predict_s", 0.0)) for e in last.values())
    final = list(last.values())[-1] if last else {}
    return {"fit_s": round(fit, 3), "predict_s": round(predict, 3), "wall_s": round(fit + predict, 3),
            "runs": len(last), "resumed_from_episode": int(final.get("resumed_from_episode", 0))}
