"""benchmarks/grid_sitting.sh: one sitting of the committed grid from a clean checkout, with a row per step.

FSRE is a shim that records its arguments and environment (the real steps are hours); the checkout is a
real ``git clone`` of this repository, so the cleanliness check and the commit are the real ones.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "grid_sitting.sh"
SHIM = """#!/bin/sh
printf '{"args": "%s", "pythonpath": "%s", "cache": "%s"}\\n' "$*" "$PYTHONPATH" "$FSRE_BENCH_CACHE" \\
    >> "$SHIM_CALLS"
exit "${SHIM_RC:-0}"
"""


def _sitting(tmp_path: Path, checkout: Path, *steps: str, rc: int = 0) -> subprocess.CompletedProcess[str]:
    shim = tmp_path / "fsre"
    shim.write_text(SHIM)
    shim.chmod(0o755)
    env = {**os.environ, "FSRE": str(shim), "GRID": str(tmp_path / "grid"), "SHIM_RC": str(rc),
           "SHIM_CALLS": str(tmp_path / "calls"), "FSRE_BENCH_CACHE": str(tmp_path / "cache")}
    return subprocess.run(["bash", str(SCRIPT), str(checkout), *steps], env=env, capture_output=True,
                          text=True, timeout=120)


def _clone(tmp_path: Path) -> Path:
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(checkout)], check=True, timeout=120)
    return checkout


def _rows(tmp_path: Path) -> list[list[str]]:
    return [line.split("\t") for line in (tmp_path / "grid" / "times.tsv").read_text().splitlines()]


def test_a_sitting_runs_the_checkouts_steps_into_the_grid_folder_with_a_row_each(tmp_path: Path) -> None:
    checkout = _clone(tmp_path)
    done = _sitting(tmp_path, checkout, "frozen", "icl")
    assert done.returncode == 0, done.stderr
    rows = _rows(tmp_path)
    assert rows[0] == ["step", "started_utc", "seconds", "rc", "cpu"]
    assert [(r[0], r[3]) for r in rows[1:]] == [("frozen", "0"), ("icl", "0")]
    assert all(r[4] for r in rows[1:])  # the CPU it ran on
    calls = [json.loads(line) for line in (tmp_path / "calls").read_text().splitlines()]
    # frozen: one run; icl: one run; each into the grid folder, importing the checkout, with the cache given.
    assert len(calls) == 2
    assert all(f"--output-dir {tmp_path / 'grid'}" in c["args"] for c in calls)
    assert {c["pythonpath"] for c in calls} == {str(checkout)}
    assert {c["cache"] for c in calls} == {str(tmp_path / "cache")}
    assert "== frozen" in (tmp_path / "grid" / "logs" / "frozen.log").read_text()


def test_a_failing_step_stops_the_sitting_with_its_status_recorded(tmp_path: Path) -> None:
    checkout = _clone(tmp_path)
    done = _sitting(tmp_path, checkout, "frozen", "icl", rc=3)
    assert done.returncode == 3 and "step frozen failed (rc 3)" in done.stderr
    assert [(r[0], r[3]) for r in _rows(tmp_path)[1:]] == [("frozen", "3")]  # icl never started


def test_a_checkout_with_changes_is_refused_before_any_step(tmp_path: Path) -> None:
    checkout = _clone(tmp_path)
    (checkout / "fsre_bench" / "__init__.py").write_text("# edited\n", encoding="utf-8")
    done = _sitting(tmp_path, checkout, "frozen")
    assert done.returncode == 2 and "is not clean" in done.stderr
    assert not (tmp_path / "calls").exists() and not (tmp_path / "grid").exists()
