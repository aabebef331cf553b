"""SQLite store of LLM replies, keyed by everything that decides a reply, committed per reply.

WAL mode lets several processes share one file; a commit per reply means a run killed halfway
keeps every reply it already paid for. Failed requests are never stored, so a rerun retries them.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.cache import cache_dir, content_hash

SCHEMA_VERSION = 1

_CREATE = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    created REAL NOT NULL
)
"""


@dataclass(frozen=True)
class CachedReply:
    """A stored reply: the text and the token usage the endpoint reported for it."""

    text: str
    finish_reason: str | None
    prompt_tokens: int | None
    completion_tokens: int | None


def default_cache_path() -> Path:
    return cache_dir("llm") / "responses.sqlite"


def request_key(
    endpoint: str,
    model: str,
    messages: Sequence[Mapping[str, Any]],
    sampling: Mapping[str, Any],
    sample_index: int | None,
) -> str:
    """The cache key: endpoint identity, model id, every sampling parameter, the messages, sample index."""
    return content_hash("llm-reply", SCHEMA_VERSION, endpoint, model, dict(sampling), list(messages), sample_index)


class ResponseCache:
    """Thread-safe get/put over one SQLite file (one connection, one lock, autocommit per put)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_cache_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # isolation_level=None: autocommit, so each INSERT is durable as soon as execute returns.
        self._conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a killed process (not a power cut) and avoids an fsync per reply.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_CREATE)

    def get(self, key: str) -> CachedReply | None:
        with self._lock:
            row = self._conn.execute(
                "SELECT text, finish_reason, prompt_tokens, completion_tokens FROM responses WHERE key = ?", (key,)
            ).fetchone()
        return CachedReply(*row) if row else None

    def put(self, key: str, model: str, reply: CachedReply) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                (key, model, reply.text, reply.finish_reason, reply.prompt_tokens, reply.completion_tokens, time.time()),
            )

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def keys(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT key FROM responses")}

    def close(self) -> None:
        with self._lock:
            self._conn.close()
