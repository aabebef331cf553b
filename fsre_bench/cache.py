"""One cache directory for everything content-addressed (embeddings, LLM replies, checkpoints)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def cache_root() -> Path:
    """``$FSRE_BENCH_CACHE`` or ``~/.cache/fsre_bench``; created on first use."""
    root = Path(os.environ.get("FSRE_BENCH_CACHE") or Path.home() / ".cache" / "fsre_bench")
    root.mkdir(parents=True, exist_ok=True)
    return root


def cache_dir(*parts: str) -> Path:
    path = cache_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: equal values give equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def content_hash(*parts: Any, length: int = 64) -> str:
    """sha256 over the canonical JSON of ``parts`` (a cache key must name everything it depends on)."""
    return hashlib.sha256(canonical_json(list(parts)).encode("utf-8")).hexdigest()[:length]


def file_sha256(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


@contextlib.contextmanager
def cache_lock(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_file`` (created): one process at a time builds a cache entry.

    The kernel drops it when its holder dies, so a killed run never leaves the entry blocked.
    A second ``cache_lock`` on the same file in the same process waits forever (flock locks belong to
    the open file), so a function that locks must not call another that locks the same entry.
    """
    with open(lock_file, "w") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
