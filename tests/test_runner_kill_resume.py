"""A run SIGKILLed half-way and started again ends exactly like an uninterrupted run (real subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest


def _command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "fsre_bench.cli.main", "run", "--dataset", "fewrel/val_wiki", "--settings", "5-1",
            "--seeds", "0", "--n-bootstrap", "200", "--output-dir", str(out), *extra]


def _env(cache: Path) -> dict[str, str]:
    return {**os.environ, "FSRE_BENCH_CACHE": str(cache), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def _kill_when(command: list[str], env: dict[str, str], ready: Callable[[], bool], timeout: float = 240) -> None:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"run finished before it could be killed: {process.stderr.read().decode()[-500:]}")
            if time.monotonic() > deadline:
                pytest.fail("the run never reached the kill point")
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL


def _finish(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


def _outputs(out: Path) -> tuple[bytes, dict]:
    (result_path,) = list(out.glob("runs/**/n*_seeds*.json"))
    result = json.loads(result_path.read_text())
    log = result_path.parent / result["per_seed"][0]["predictions"]
    return log.read_bytes(), result["metrics"]


def _lines(out: Path) -> int:
    logs = list(out.glob("runs/**/*.predictions.jsonl"))
    return sum(1 for _ in open(logs[0], "rb")) if logs else 0


def test_sigkill_while_writing_predictions(tmp_path):
    episodes = ["--methods", "random", "--episodes", "40000"]
    _finish(_command(tmp_path / "whole", *episodes), _env(tmp_path / "cache"))
    killed = _command(tmp_path / "killed", *episodes)
    _kill_when(killed, _env(tmp_path / "cache"), lambda: _lines(tmp_path / "killed") > 2000)
    at_kill = _lines(tmp_path / "killed")
    assert 2000 < at_kill < 40001, "the kill must land half-way through the predictions"
    _finish(killed, _env(tmp_path / "cache"))
    assert _outputs(tmp_path / "killed") == _outputs(tmp_path / "whole")
    # provenance keeps both runs that wrote the log: from episode 0, and from where the resume picked up
    (result_path,) = list((tmp_path / "killed").glob("runs/**/n*_seeds*.json"))
    segments = json.loads(result_path.read_text())["per_seed"][0]["provenance"]["segments"]
    assert len(segments) == 2 and segments[0]["from_episode"] == 0
    assert at_kill - 2 <= segments[1]["from_episode"] <= at_kill - 1 and segments[0]["harness"] == segments[1]["harness"]


def _stored_vectors(cache: Path) -> int:
    path = cache / "embeddings" / "vectors.sqlite"
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=0.1) as conn:
            return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]
    except sqlite3.OperationalError:  # table not created yet, or briefly locked
        return 0


def test_sigkill_while_encoding_with_proto(tmp_path):
    episodes = ["--methods", "proto", "--episodes", "60"]  # ~570 unique instances: one committed chunk of 512, then the rest
    _finish(_command(tmp_path / "whole", *episodes), _env(tmp_path / "cache-whole"))
    killed, cache = _command(tmp_path / "killed", *episodes), tmp_path / "cache-killed"
    _kill_when(killed, _env(cache), lambda: _stored_vectors(cache) >= 512)
    assert 512 <= _stored_vectors(cache) < 560, "the kill must land between two committed encoding chunks"
    _finish(killed, _env(cache))
    assert _outputs(tmp_path / "killed") == _outputs(tmp_path / "whole")
