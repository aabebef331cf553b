"""Two processes started together on one cache entry (the race tests): signal files and the children's answers.

A race test runs one Python child per role; the children order themselves with signal files in a shared
folder (one says "I am inside the critical part", the other waits for that, then says it has started), so
the race happens on every run instead of by luck. Each child prints its answer as JSON on its last line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def wait_for(signals: Path, name: str, timeout: float = 120) -> None:
    """Until ``signals/name`` exists (or ``timeout`` seconds: the test's assertions then say what went wrong)."""
    deadline = time.time() + timeout
    while not (signals / name).exists() and time.time() < deadline:
        time.sleep(0.1)


def run_racers(scripts: dict[str, str], env: dict[str, str], timeout: float = 600) -> dict[str, Any]:
    """Start every role's script at once; each must exit 0, and its last stdout line is its JSON answer."""
    children = {role: subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True, env=env)
                for role, script in scripts.items()}
    answers = {}
    for role, child in children.items():
        out, err = child.communicate(timeout=timeout)
        assert child.returncode == 0, (role, err[-2000:])
        answers[role] = json.loads(out.strip().splitlines()[-1])
    return answers
