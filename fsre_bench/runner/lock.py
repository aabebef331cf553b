"""One process at a time per unit (method x setting) of an output directory.

Two runs on the same ``--output-dir`` used to append the same episodes to the same logs and send
every prompt twice; now the second waits for the first and then finds its work done (cached).
The lock is ``fcntl.flock`` on ``<unit dir>/.lock``: the kernel releases it when its process dies,
so a lock left by a killed run never blocks; the file names its holder (pid, host, start time) for
the waiting message, and a holder recorded there that no longer runs is reported as stale.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from fsre_bench.output_paths import writing

LOCK_NAME = ".lock"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class UnitLock:
    """An exclusive lock on one unit directory, held until ``release``."""

    def __init__(self, directory: Path, say: Callable[[str], None] = _say):
        self.directory, self.path, self._say = directory, directory / LOCK_NAME, say
        self._fd: int | None = None

    def acquire(self) -> None:
        with writing(self.path):
            self.directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._say(f"waiting: {self.directory} is being run by {_describe(_holder(fd))}; "
                      "this run continues when that one finishes")
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:
            stale = _holder(fd)
            if stale and stale.get("host") == socket.gethostname() and not _alive(stale.get("pid")):
                self._say(f"note: {self.path} was left by {_describe(stale)}, which no longer runs; taking it over")
        self._fd = fd
        _write_holder(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self._fd, 0)  # an empty lock file means no one holds it
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


@contextlib.contextmanager
def holding_unit_locks(directories: Iterable[Path]) -> Iterator[None]:
    """Lock every directory, in sorted order (two runs then never wait on each other in a cycle)."""
    locks = [UnitLock(directory) for directory in sorted(set(directories))]
    try:
        for lock in locks:
            lock.acquire()
        yield
    finally:
        for lock in reversed(locks):
            lock.release()


def _holder(fd: int) -> dict[str, Any] | None:
    try:
        raw = os.pread(fd, 4096, 0)
        return json.loads(raw) if raw.strip() else None
    except (OSError, ValueError):
        return None


def _write_holder(fd: int) -> None:
    info = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with contextlib.suppress(OSError):  # the lock holds without its label (e.g. a full disk)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)


def _describe(holder: dict[str, Any] | None) -> str:
    if not holder:
        return "another process"
    return f"pid {holder.get('pid')} on {holder.get('host')} (since {holder.get('since')})"


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
