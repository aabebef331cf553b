"""Opening one SQLite file in WAL mode from several processes at once (the embedding store, the LLM cache)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any


def connect_wal(path: str | Path, *, timeout: float, **kwargs: Any) -> sqlite3.Connection:
    """A connection to ``path`` in WAL mode with synchronous=NORMAL (survives a killed process, not a power cut).

    Turning a fresh file into WAL takes a SHARED lock, then an EXCLUSIVE one. Two processes doing it at the same
    moment (two Ray workers' first embedding on an empty cache) deadlock on that upgrade, and SQLite answers one of
    them "database is locked" at once, without calling the busy handler, so ``timeout`` alone does not help: the
    switch is retried until the other has finished it, for at most ``timeout`` seconds.
    """
    conn = sqlite3.connect(str(path), timeout=timeout, **kwargs)
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                conn.close()
                raise
            time.sleep(delay)
            delay = min(2 * delay, 0.25)
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn
