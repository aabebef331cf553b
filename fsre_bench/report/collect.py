"""Find, load and validate result files; each becomes one ``ResultFile`` for the reports.

Reports only read files: a row exists because its result file exists, so deleting a file and
regenerating drops the row, and adding one brings it back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fsre_bench.errors import DataError
from fsre_bench.protocols import STANDARD_SETTINGS
from fsre_bench.results import ResultFile

# The runner names every result file n<episodes>_seeds<seeds>_<key>.json (README "Outputs");
# per-seed .meta.json files and anything else in the tree are not results.
RESULT_FILE_GLOB = "n*_seeds*.json"


def find_result_files(results_dir: Path) -> list[Path]:
    """Result files under ``results_dir/runs`` (or under ``results_dir`` when it has no runs/), sorted.

    A ``studies/`` folder right under ``results_dir`` is left out: a study (variants of one method
    on one task) is reported by pointing --results at it, not mixed into the main leaderboard.
    """
    results_dir = Path(results_dir)
    if not results_dir.is_dir():
        raise DataError(f"{results_dir}: no such results directory (run `fsre-bench run --output-dir {results_dir}` first)")
    root = results_dir / "runs" if (results_dir / "runs").is_dir() else results_dir
    studies = results_dir / "studies"
    return sorted(path for path in root.rglob(RESULT_FILE_GLOB)
                  if path.is_file() and not path.is_relative_to(studies))


def result_paths(path: Path) -> list[Path]:
    """The result files ``path`` names: itself when it is one result file, else those under it (find_result_files)."""
    path = Path(path)
    return [path] if path.is_file() else find_result_files(path)


def load_rows(paths: Iterable[Path]) -> list[ResultFile]:
    """Load and validate each file; an unreadable or unknown-version file is a one-line DataError."""
    return [ResultFile.load(Path(path)) for path in paths]


def collect_rows(results_dir: Path) -> list[ResultFile]:
    return load_rows(find_result_files(results_dir))


def predictions_records(row: ResultFile) -> list[tuple[str, list[dict[str, Any]]]]:
    """Per seed: (episode-file sha256, the episode records of its predictions log), checked against the result."""
    return row.predictions_records()


def pick_best(rows: Sequence[ResultFile]) -> ResultFile:
    """Of several results for one cell: unlimited first, then most units, then newest, then path."""
    return max(rows, key=lambda r: (not r.limited, r.size, r.created_utc, str(r.path)))


def setting_order(setting: str) -> tuple[int, int, int, str]:
    """5-1, 5-5, 10-1, 10-5 first; then other N-K by (N, K); K=8 < K=16 < K=32 numerically."""
    if setting in STANDARD_SETTINGS:
        return (0, STANDARD_SETTINGS.index(setting), 0, setting)
    numbers = [int(n) for n in re.findall(r"\d+", setting)]
    padded = [*numbers, 0, 0]
    return (1, padded[0], padded[1], setting)
