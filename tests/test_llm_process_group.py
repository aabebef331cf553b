"""Waiting for a server's process group: zombies do not count as running members."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from fsre_bench.llm.process_group import running_group_members, signal_group, wait_group_gone

# A leader that forks a child which exits at once and is never reaped: a zombie in the leader's group.
_LEADER_WITH_ZOMBIE = """
import os, sys, time
child = os.fork()
if child == 0:
    os._exit(0)
print(child, flush=True)
time.sleep(60)
"""


def _state(pid: int) -> str:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return stat[stat.rfind(")") + 2:].split()[0]


def test_a_zombie_member_is_not_running_and_the_wait_ends_without_waiting_it_out() -> None:
    leader = subprocess.Popen([sys.executable, "-c", _LEADER_WITH_ZOMBIE], stdout=subprocess.PIPE, text=True,
                              start_new_session=True)
    try:
        zombie = int(leader.stdout.readline()) if leader.stdout else 0
        deadline = time.monotonic() + 10
        while _state(zombie) != "Z" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _state(zombie) == "Z"
        os.killpg(leader.pid, 0)  # what the old wait polled: it succeeds while the zombie exists
        assert running_group_members(leader.pid) == [leader.pid]
        signal_group(leader.pid, signal.SIGKILL)
        started = time.monotonic()
        assert wait_group_gone(leader, timeout_s=5.0)
        assert time.monotonic() - started < 2.0
        assert running_group_members(leader.pid) == []
    finally:
        if leader.poll() is None:
            leader.kill()
            leader.wait()


def test_a_live_member_keeps_the_wait_going_until_its_timeout() -> None:
    leader = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
    try:
        started = time.monotonic()
        assert not wait_group_gone(leader, timeout_s=0.5)
        assert 0.5 <= time.monotonic() - started < 3.0
        assert running_group_members(leader.pid) == [leader.pid]
    finally:
        leader.kill()
        leader.wait()
