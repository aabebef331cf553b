"""The table a run prints says what was computed now and what was reused; user runs stay out of results/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.shared_data import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]


def _run(cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FSRE_BENCH_DATA_DIR": str(SHARED_DATA), "PYTHONPATH": str(REPO), "COLUMNS": "250"}
    command = [sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "random", "--dataset",
               "fewrel/val_wiki", "--settings", "5-1", "--episodes", "3", "--seeds", "0", *extra]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_default_output_dir_is_local_and_rows_say_computed_then_reused(tmp_path: Path) -> None:
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    results = list((tmp_path / "fsre-results" / "runs").rglob("n3_seeds0_*.json"))
    assert len(results) == 1 and not (tmp_path / "results").exists()
    row = next(line for line in first.stdout.splitlines() if line.lstrip("│ ").startswith("random"))
    assert "computed" in row and "reused" not in first.stdout

    second = _run(tmp_path)
    assert second.returncode == 0, second.stderr
    row = next(line for line in second.stdout.splitlines() if line.lstrip("│ ").startswith("random"))
    assert "reused" in row and "computed" not in row
    assert "random 5-1: result of 20" in second.stdout and "--overwrite always recomputes" in second.stdout

    # Every seed's predictions exist but the result file does not: assembled, still "reused", not "computed".
    results[0].unlink()
    third = _run(tmp_path)
    row = next(line for line in third.stdout.splitlines() if line.lstrip("│ ").startswith("random"))
    assert "reused" in row and "computed" not in row
    assert "random 5-1: predictions of 20" in third.stdout
