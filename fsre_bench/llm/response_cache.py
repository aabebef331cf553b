"""SQLite store of LLM replies, keyed by everything that decides a reply, committed per reply.

WAL mode lets several processes share one file; a commit per reply means a run killed halfway
keeps every reply it already paid for. Failed requests are never stored, so a rerun retries them.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.cache import cache_dir, content_hash
from fsre_bench.sqlite_wal import connect_wal

SCHEMA_VERSION = 1
# How long close() waits for queued background writes and for a connection busy in one.
CLOSE_WAIT_S = 2.0

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
        # synchronous=NORMAL (connect_wal) avoids an fsync per reply.
        self._conn = connect_wal(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        self._conn.execute(_CREATE)
        self._writer_lock = threading.Lock()
        self._writes: queue.Queue | None = None  # started by the first background put

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

    def put_in_background(self, key: str, model: str, reply: CachedReply) -> concurrent.futures.Future[None]:
        """``put`` on this cache's writer thread: an event loop awaiting it stays free to cancel and stop,
        even while SQLite waits out another process's write lock (up to its 30 s busy timeout)."""
        future: concurrent.futures.Future[None] = concurrent.futures.Future()
        with self._writer_lock:
            if self._writes is None:
                self._writes = queue.Queue()
                # A daemon thread: a write stuck on a busy file must never hold up the interpreter's exit.
                threading.Thread(target=self._write_queued, args=(self._writes,), name="fsre-llm-cache-writer",
                                 daemon=True).start()
            self._writes.put((future, key, model, reply))
        return future

    def _write_queued(self, writes: queue.Queue) -> None:
        while (item := writes.get()) is not None:
            future, key, model, reply = item
            if future.set_running_or_notify_cancel():
                try:
                    self.put(key, model, reply)
                except BaseException as exc:  # handed to whoever awaits the write
                    future.set_exception(exc)
                else:
                    future.set_result(None)
            writes.task_done()
        writes.task_done()

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def keys(self) -> set[str]:
        with self._lock:
            return {row[0] for row in self._conn.execute("SELECT key FROM responses")}

    def close(self) -> None:
        """Finish queued writes and close, each wait bounded: a run shutting down never hangs here."""
        with self._writer_lock:
            writes, self._writes = self._writes, None
        if writes is not None:
            writes.put(None)
            if not _join_queue(writes, CLOSE_WAIT_S):
                return  # a write is stuck on a busy file, holding the connection: the process exit ends both
        if self._lock.acquire(timeout=CLOSE_WAIT_S):
            try:
                self._conn.close()
            finally:
                self._lock.release()


def _join_queue(writes: queue.Queue, timeout_s: float) -> bool:
    """``Queue.join`` with a deadline: True when every queued item was handled in time."""
    deadline = time.monotonic() + timeout_s
    with writes.all_tasks_done:
        while writes.unfinished_tasks and time.monotonic() < deadline:
            writes.all_tasks_done.wait(max(0.0, deadline - time.monotonic()))
        return not writes.unfinished_tasks
