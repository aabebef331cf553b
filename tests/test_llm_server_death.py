"""A local llama.cpp server killed mid-run stops the run with one line and exit 2; its answers stay cached.

Real SmolLM2 on a real llama.cpp server: the run's own server child is SIGKILLed once the first episode
is logged. Before this was handled, every later query became an ``__unparsed__`` failure and the run
"succeeded".
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fsre_bench.llm.response_cache import ResponseCache
from tests.support.shared_data import SHARED_DATA

REPO = Path(__file__).resolve().parents[1]
EPISODES = 4  # 5 queries each; the kill comes after the first episode


def _command(out: Path) -> list[str]:
    return [sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "icl", "--llm", "local",
            "--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes", str(EPISODES), "--seeds", "0",
            "--output-dir", str(out)]


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:  # the process ended while we looked
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _logged_episodes(out: Path) -> int:
    logs = list(out.rglob("*.predictions.jsonl"))
    return max((len(p.read_text().splitlines()) - 1 for p in logs), default=0)


@pytest.mark.llm
def test_killed_local_server_stops_the_run_with_one_line_and_keeps_cached_answers(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    env = {**os.environ, "FSRE_BENCH_CACHE": str(cache), "FSRE_BENCH_DATA_DIR": str(SHARED_DATA),
           "PYTHONPATH": str(REPO), "COLUMNS": "200"}
    run = subprocess.Popen(_command(out), cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True)
    deadline = time.monotonic() + 300
    while _logged_episodes(out) < 1:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "no episode logged within 300 s"
        time.sleep(0.2)
    servers = _children(run.pid)
    assert len(servers) == 1, servers
    os.kill(servers[0], signal.SIGKILL)
    stdout, stderr = run.communicate(timeout=120)

    assert run.returncode == 2, (stdout, stderr)
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    assert f"pid {servers[0]}" in errors[0] and "killed by SIGKILL" in errors[0] and "log:" in errors[0]
    assert not list(out.rglob("n*_seeds0_*.json")), "no result may be written for a run whose server died"

    logged = _logged_episodes(out)
    responses = ResponseCache(cache / "llm" / "responses.sqlite")
    stored = len(responses)
    responses.close()
    assert stored >= 5 * logged  # every logged episode's answers are on disk

    # A rerun starts a new server, answers the logged episodes' queries from the cache, finishes the rest.
    again = subprocess.run(_command(out), cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    result_path = next(p for p in out.rglob("n*_seeds0_*.json"))
    result = json.loads(result_path.read_text())
    seed = result["per_seed"][0]
    assert seed["failures"] == 0 and seed["n_episodes"] == EPISODES
    assert seed["timing"]["resumed_from_episode"] == logged
