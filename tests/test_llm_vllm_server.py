"""--llm vllm: the managed-server lifecycle on a real stand-in `vllm serve`, and the one-line refusal without a GPU.

The stand-in (tests/fixtures/stand_in_vllm.py) is a real executable speaking vLLM's HTTP API and
running an "engine" child like vLLM does, so start, readiness wait, first completion, answers,
stop and orphan handling all run for real; only the model behind it is fake.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fsre_bench.errors import LLMError
from fsre_bench.llm import ChatRequest, LLMConfig
from fsre_bench.llm.client import LLMClient
from fsre_bench.llm.config import Endpoint
from fsre_bench.llm.managed_server import release_server, running_managed_servers
from fsre_bench.llm.vllm_server import get_vllm_server
from tests.test_llm_local_server import pid_alive, wait_gone

REPO = Path(__file__).resolve().parents[1]
STAND_IN = Path(__file__).parent / "fixtures" / "stand_in_vllm.py"
MODEL = "org/tiny-model"


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    executable = tmp_path / "bin" / "vllm"
    executable.parent.mkdir()
    executable.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} {shlex.quote(str(STAND_IN))} "$@"\n')
    executable.chmod(0o755)
    return executable


def _pids(path: Path) -> list[int]:
    deadline = time.monotonic() + 30
    while not (path.exists() and path.read_text().endswith("\n")):
        assert time.monotonic() < deadline, "the stand-in never wrote its pids"
        time.sleep(0.05)
    return [int(pid) for pid in path.read_text().split()]


def test_stand_in_is_started_waited_for_answers_and_stops_with_its_engine(stand_in, tmp_path, monkeypatch):
    monkeypatch.setenv("STAND_IN_PIDS", str(tmp_path / "pids"))
    monkeypatch.setenv("STAND_IN_MODE", "slow-start")  # /v1/models answers only after 2 s: the wait is real
    server = get_vllm_server(MODEL, executable=str(stand_in))
    try:
        assert server.alive() and server.base_url.startswith("http://127.0.0.1:")
        assert f"on 127.0.0.1:{server.port}" in server.log_path.read_text()
        assert "request POST /v1/chat/completions" in server.log_path.read_text()  # the first-completion check
        assert server.endpoint_id == f"vllm:{MODEL}" and server.start_s >= 2.0
        assert get_vllm_server(MODEL, executable=str(stand_in)) is server  # one per process, shared
        config = LLMConfig(mode="vllm", model=MODEL, cache=False)
        client = LLMClient(Endpoint(server.base_url, server.model_alias, "local", server.endpoint_id, local=True),
                           config, None)
        try:
            (reply,) = list(client.map([ChatRequest.user("Which relation?", max_tokens=4)]))
            assert reply.text == "A" and client.usage_dict()["endpoint"] == "local vllm"
        finally:
            client.close()
        stand_in_pid, engine_pid = _pids(tmp_path / "pids")
        release_server(server)
        assert server.alive(), "a second user still holds it"
    finally:
        release_server(server)
    assert not server.alive() and wait_gone(stand_in_pid) and wait_gone(engine_pid)
    assert not server.log_path.exists() and running_managed_servers() == []


def test_a_server_that_exits_at_start_gives_one_line_with_its_last_log_line(stand_in, monkeypatch):
    monkeypatch.setenv("STAND_IN_MODE", "exit-at-start")
    with pytest.raises(LLMError) as info:
        get_vllm_server(MODEL, executable=str(stand_in))
    message = str(info.value)
    assert "vLLM server exited during start-up" in message and "simulated start-up failure" in message
    assert "\n" not in message and running_managed_servers() == []


_HOLD_SERVER = """
import sys, time
from fsre_bench.llm.vllm_server import get_vllm_server
get_vllm_server(sys.argv[1], executable=sys.argv[2])
print("serving", flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_no_orphan_server_or_engine_when_the_run_is_killed(stand_in, tmp_path, sig):
    env = {**os.environ, "PYTHONPATH": str(REPO), "STAND_IN_PIDS": str(tmp_path / "pids")}
    parent = subprocess.Popen([sys.executable, "-c", _HOLD_SERVER, MODEL, str(stand_in)], env=env,
                              stdout=subprocess.PIPE, text=True)
    pids: list[int] = []
    try:
        assert parent.stdout.readline().strip() == "serving"
        pids = _pids(tmp_path / "pids")
        assert all(pid_alive(pid) for pid in pids)
        parent.send_signal(sig)
        parent.wait(timeout=20)
        assert all(wait_gone(pid, timeout_s=20) for pid in pids), f"stand-in or engine outlived a {sig.name}ed run"
    finally:
        if parent.poll() is None:
            parent.kill()
        for pid in pids:
            if pid_alive(pid):
                os.kill(pid, signal.SIGKILL)


def _cli(tmp_path: Path, *flags: str, **env: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "icl", "--episodes", "2",
               "--output-dir", str(tmp_path / "out"), *flags]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(REPO), **env})


def test_vllm_without_a_gpu_is_one_line_and_exit_2_before_any_work(stand_in, tmp_path):
    done = _cli(tmp_path, "--llm", "vllm", "--llm-model", MODEL, FSRE_BENCH_VLLM_EXECUTABLE=str(stand_in))
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == ["error: --llm vllm needs a CUDA GPU (torch sees none here); on this machine "
                                        "use --llm local or --llm remote --llm-base-url URL"]
    assert not (tmp_path / "out").exists(), "nothing may be computed or written before the refusal"
    missing = _cli(tmp_path, "--llm", "vllm", "--llm-model", MODEL, FSRE_BENCH_VLLM_EXECUTABLE=str(tmp_path / "no"))
    assert missing.returncode == 2 and len(missing.stderr.splitlines()) == 1
    assert "a CUDA GPU" in missing.stderr and "is not an executable file" in missing.stderr


def test_vllm_needs_a_model(tmp_path):
    done = _cli(tmp_path, "--llm", "vllm")
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: --llm vllm needs --llm-model PATH_OR_NAME (the model `vllm serve` loads)"]
