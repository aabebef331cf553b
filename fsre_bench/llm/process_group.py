"""Signal a server child's process group and wait, boundedly, until none of its members still runs.

``killpg(pgid, 0)`` succeeds while any member is a zombie, and a grandchild orphaned by the
leader's death is reparented to init, which in a container often never reaps it: a wait on
``killpg`` alone then waits out its whole timeout for a process that is already dead. On Linux
the members are read from ``/proc`` and zombies do not count.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from pathlib import Path

_PROC = Path("/proc")
_POLL_S = 0.05


def signal_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to every member of the group (gone or not ours: nothing to do)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def running_group_members(pgid: int) -> list[int] | None:
    """Pids of the group's members that are not zombies; None where ``/proc`` cannot tell."""
    if not (_PROC / "self" / "stat").exists():
        return None
    members = []
    for entry in _PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited while we looked
            continue
        # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ")".
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) >= 3 and int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            members.append(int(entry.name))
    return members


def _group_gone(pgid: int) -> bool | None:
    """True when no member runs; None when we may not look (another user's group)."""
    members = running_group_members(pgid)
    if members is not None:
        return not members
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return None
    return False


def wait_group_gone(process: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Reap the leader, then wait until no member of its group still runs (a server's own workers too)."""
    deadline = time.monotonic() + timeout_s
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout_s)
    while True:
        gone = _group_gone(process.pid)
        if gone:
            return True
        if gone is None or time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_S)
