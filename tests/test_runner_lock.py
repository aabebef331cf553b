"""One process at a time per unit directory: a second locker waits, a dead holder's lock is taken over with a note."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from fsre_bench.runner.lock import LOCK_NAME, UnitLock, holding_unit_locks


def test_a_held_lock_names_its_holder_and_is_emptied_on_release(tmp_path: Path) -> None:
    lock = UnitLock(tmp_path / "unit" / "5-1")  # the directory is made on acquire
    lock.acquire()
    holder = json.loads((tmp_path / "unit" / "5-1" / LOCK_NAME).read_text())
    assert (holder["pid"], holder["host"]) == (os.getpid(), socket.gethostname()) and holder["since"].endswith("Z")
    lock.release()
    assert (tmp_path / "unit" / "5-1" / LOCK_NAME).read_text() == ""
    lock.release()  # a second release is a no-op


def test_a_second_locker_waits_for_the_first_and_says_who_holds_it(tmp_path: Path) -> None:
    first, said = UnitLock(tmp_path), []
    first.acquire()
    second = UnitLock(tmp_path, say=said.append)  # its own open file: flock excludes it even in this process
    got_it = threading.Event()
    waiter = threading.Thread(target=lambda: (second.acquire(), got_it.set()), daemon=True)
    waiter.start()
    for _ in range(100):
        if said:
            break
        got_it.wait(0.05)
    assert not got_it.is_set(), "the second lock was granted while the first was held"
    assert said == [f"waiting: {tmp_path} is being run by pid {os.getpid()} on {socket.gethostname()} "
                    f"(since {json.loads((tmp_path / LOCK_NAME).read_text())['since']}); "
                    "this run continues when that one finishes"]
    first.release()
    assert got_it.wait(10), "the second lock was not granted after the first was released"
    waiter.join(10)
    assert json.loads((tmp_path / LOCK_NAME).read_text())["pid"] == os.getpid()
    second.release()


def test_a_lock_file_left_by_a_dead_process_is_taken_over_with_a_note(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    pid = int(dead.stdout)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": socket.gethostname(), "since": "then"}))
    said: list[str] = []
    lock = UnitLock(tmp_path, say=said.append)
    lock.acquire()
    assert said == [f"note: {tmp_path / LOCK_NAME} was left by pid {pid} on {socket.gethostname()} (since then), "
                    "which no longer runs; taking it over"]
    lock.release()
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": pid, "host": "another-host", "since": "then"}))
    quiet: list[str] = []
    other_host = UnitLock(tmp_path, say=quiet.append)
    other_host.acquire()  # a pid of another host cannot be checked here: no note
    other_host.release()
    assert quiet == []


def test_every_unit_is_locked_in_sorted_order_and_all_released_on_error(tmp_path: Path) -> None:
    directories = [tmp_path / "b", tmp_path / "a", tmp_path / "b"]
    with pytest.raises(RuntimeError, match="inside"), holding_unit_locks(directories):
        assert sorted(p.parent.name for p in tmp_path.glob(f"*/{LOCK_NAME}")) == ["a", "b"]
        assert all(json.loads((tmp_path / name / LOCK_NAME).read_text())["pid"] == os.getpid() for name in "ab")
        raise RuntimeError("inside")
    assert all((tmp_path / name / LOCK_NAME).read_text() == "" for name in "ab")
    for name in "ab":  # and really released: a fresh lock is granted at once
        lock = UnitLock(tmp_path / name, say=pytest.fail)
        lock.acquire()
        lock.release()
