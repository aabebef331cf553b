"""A run SIGKILLed during LLM calls keeps every reply it received (SQLite) and resumes with the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from fsre_bench.llm.response_cache import ResponseCache
from tests.support.llm_servers import FaultPlan, FaultServer

REPO = Path(__file__).resolve().parents[1]
N_REQUESTS = 30

_RUN = """
import sys
from fsre_bench.llm import ChatRequest, LLMConfig, open_llm
base_url, cache_path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
client = open_llm(LLMConfig(mode="remote", base_url=base_url, cache_path=cache_path, concurrency=2))
for i, result in enumerate(client.map(ChatRequest.user(f"prompt {j}", max_tokens=4) for j in range(n))):
    print("got", i, result.cached, flush=True)
usage = client.usage_dict()
print("done", usage["calls"], usage["cache_hits"], flush=True)
"""


def run_script(base_url: str, cache_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN, base_url, str(cache_path), str(N_REQUESTS)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )


def test_killed_run_keeps_paid_replies_and_resumes_with_the_rest(tmp_path: Path) -> None:
    cache_path = tmp_path / "llm.sqlite"
    with FaultServer(FaultPlan(sleep_s=0.15)) as srv:
        first = run_script(srv.base_url, cache_path)
        received = 0
        assert first.stdout is not None
        for line in first.stdout:
            if line.startswith("got"):
                received += 1
            if received == 8:
                first.send_signal(signal.SIGKILL)
                break
        first.wait(timeout=10)
        assert first.returncode == -signal.SIGKILL
        requests_before_kill = srv.counters.total
        assert requests_before_kill < N_REQUESTS

        cache = ResponseCache(cache_path)
        stored = len(cache)
        cache.close()
        assert stored >= received  # every reply the run saw was on disk before it was used

        srv.counters.reset()
        second = run_script(srv.base_url, cache_path)
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 0
        assert srv.counters.total == N_REQUESTS - stored  # only what was not paid for yet
        assert f"done {N_REQUESTS - stored} {stored}" in out
        assert sum(line.startswith("got") for line in out.splitlines()) == N_REQUESTS
