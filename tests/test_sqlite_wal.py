"""connect_wal: processes that open one fresh SQLite file at the same moment all get a WAL connection."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from pathlib import Path

import pytest

from fsre_bench.sqlite_wal import connect_wal

_PROCESSES, _TRIALS = 6, 40  # plain connect + PRAGMA failed 7 of 40 such trials here (6 processes, one barrier)


def _open_at_once(path: str, barrier, answers, use_helper: bool) -> None:
    barrier.wait()
    try:
        if use_helper:
            conn = connect_wal(path, timeout=30)
        else:  # what the embedding store did before: the busy timeout alone
            conn = sqlite3.connect(path, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY)")
        conn.commit()
        answers.put(conn.execute("PRAGMA journal_mode").fetchone()[0])
        conn.close()
    except sqlite3.OperationalError as error:
        answers.put(str(error))


def _race(root: Path, use_helper: bool, trials: int = _TRIALS) -> list[str]:
    """Each trial: _PROCESSES processes open one fresh file at one barrier; the answers of all of them."""
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    root.mkdir(parents=True, exist_ok=True)
    for trial in range(trials):
        barrier = context.Barrier(_PROCESSES)
        path = str(root / f"{trial}.sqlite")
        workers = [context.Process(target=_open_at_once, args=(path, barrier, answers, use_helper))
                   for _ in range(_PROCESSES)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=60)
    return [answers.get(timeout=10) for _ in range(_PROCESSES * trials)]


def test_processes_opening_a_fresh_file_together_all_get_wal(tmp_path: Path):
    answers = _race(tmp_path, use_helper=True)
    assert answers == ["wal"] * len(answers)


def test_the_busy_timeout_alone_is_not_enough(tmp_path: Path):
    """Why the helper retries: without it some of the same openings fail at once (the race is real here)."""
    for batch in range(10):  # up to 400 trials, so a quieter machine still shows it
        if "database is locked" in _race(tmp_path / str(batch), use_helper=False):
            return
    raise AssertionError(f"no opening failed in {10 * _TRIALS} trials: the race this helper retries did not occur")


def test_synchronous_is_normal_and_other_errors_are_not_retried(tmp_path: Path):
    conn = connect_wal(tmp_path / "a.sqlite", timeout=1)
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    (tmp_path / "not-a-db.sqlite").write_bytes(b"this is not a database file at all, just text" * 10)
    started = time.monotonic()
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        connect_wal(tmp_path / "not-a-db.sqlite", timeout=30)
    assert time.monotonic() - started < 5  # refused at once, not retried until the timeout
