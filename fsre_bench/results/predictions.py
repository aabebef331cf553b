"""The predictions-log format: line 1 a header, then one canonical JSON record per episode.

The runner writes logs (``fsre_bench.runner.predictions_log``); this is the one reader, used by the
runner to assemble results and by the reports to pair units.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fsre_bench.bounded_read import read_bounded
from fsre_bench.errors import DataError

LOG_FORMAT = "fsre-bench.predictions/1"


def read_predictions_log(path: Path) -> list[dict[str, Any]]:
    """The episode records (header skipped); an unreadable log or a non-JSON line is a one-line DataError."""
    return parse_predictions_log(read_predictions_log_bytes(path), path)


def read_predictions_log_bytes(path: Path) -> bytes:
    """The log's bytes (size-bounded; what its ``predictions_sha256`` hashes)."""
    try:
        return read_bounded(path, "log")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the predictions log ({exc.strerror})") from None


def parse_predictions_log(raw: bytes, path: Path) -> list[dict[str, Any]]:
    """The episode records of a log's bytes (header skipped)."""
    try:
        lines = raw.decode("utf-8").split("\n")[:-1]  # not splitlines: replies may hold U+2028
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a UTF-8 predictions log (byte {exc.start}: {exc.reason})") from None
    records = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: line {number} is not JSON ({exc.msg}); not a predictions log") from None
    return records
