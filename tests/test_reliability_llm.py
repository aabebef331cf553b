"""Failed LLM requests: counted into the result, above the limit a one-line exit 2, retried by a plain rerun.

And two runs started on the same output directory: one waits for the other, both end complete, no
prompt is sent twice and no predictions line is written twice.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fsre_bench.cli.main import main
from tests.support.cli_helpers import fails_with_one_line
from tests.support.llm_servers import FaultPlan, FaultServer

REPO = Path(__file__).resolve().parents[1]
EPISODES = 10  # 5-way, 1 query per relation: 50 queries, one request each


def _icl_argv(server: FaultServer, out: Path, *extra: str) -> list[str]:
    return ["run", "--methods", "icl", "--llm-base-url", server.base_url, "--llm-max-retries", "0",
            "--dataset", "fewrel/val_semeval", "--settings", "5-1",
            "--episodes", str(EPISODES), "--seeds", "0", "--output-dir", str(out), *extra]


def _result(out: Path) -> dict:
    (path,) = out.rglob(f"n{EPISODES}_seeds0_*.json")
    return json.loads(path.read_text())


def _log_lines(out: Path) -> list[str]:
    (path,) = out.rglob("*.predictions.jsonl")
    return path.read_text().splitlines()


def _failed_prompts(server: FaultServer) -> set[str]:
    return {key for key in server.counters.by_prompt if key not in server.counters.ok_prompts}


def test_thirty_percent_failing_then_a_plain_rerun_sends_exactly_the_failed_requests(capsys, tmp_path):
    with FaultServer(FaultPlan(fail_rate=0.3, seed=3)) as server:
        err = fails_with_one_line(capsys, _icl_argv(server, tmp_path), "icl 5-1", "of 50 queries",
                                  "above the 20% limit", "first error", "injected failure")
        assert len(err.splitlines()) == 1 and err.count("icl 5-1") == 1
        failed = _failed_prompts(server)
        first = _result(tmp_path)["request_failures"]
        assert first["failed_queries"] == len(failed) and 0.2 < len(failed) / 50 < 0.45
        assert sum(row["failures"] for row in _result(tmp_path)["per_seed"]) == len(failed)

        server.plan = FaultPlan(fail_rate=0.0)  # the endpoint recovered
        server.counters.reset()
        assert main(_icl_argv(server, tmp_path)) == 0, capsys.readouterr().err
        assert server.counters.total == len(failed)  # every failed request once, no cached success resent
        assert set(server.counters.by_prompt) == failed
        result = _result(tmp_path)
        assert result["request_failures"]["failed_queries"] == 0
        assert sum(row["failures"] for row in result["per_seed"]) == 0
        lines = _log_lines(tmp_path)
        assert len(lines) == EPISODES + 1 and len({json.loads(line).get("episode") for line in lines[1:]}) == EPISODES

        server.counters.reset()
        assert main(_icl_argv(server, tmp_path)) == 0
        assert server.counters.total == 0 and "reused" in capsys.readouterr().out


def test_a_share_within_the_limit_is_done_but_shown(capsys, tmp_path):
    with FaultServer(FaultPlan(fail_rate=0.3, seed=3)) as server:
        assert main(_icl_argv(server, tmp_path, "--max-failure-share", "0.5")) == 0
    out = capsys.readouterr().out
    assert "queries' LLM requests failed" in out
    assert _result(tmp_path)["request_failures"]["failed_queries"] > 0


def test_a_dead_endpoint_mid_run_is_not_a_zero_accuracy_done(capsys, tmp_path):
    with FaultServer(FaultPlan(fail_rate=1.0)) as server:
        err = fails_with_one_line(capsys, _icl_argv(server, tmp_path), "50 of 50 queries", "100%")
    assert len(err.splitlines()) == 1
    assert _result(tmp_path)["request_failures"]["share"] == 1.0


def _start_run(server: FaultServer, out: Path, stderr: Any = subprocess.PIPE) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "fsre_bench.cli.main", *_icl_argv(server, out)]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "200"})


def _wait_for(condition: Callable[[], bool], what: str, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_two_runs_on_the_same_output_directory_both_end_complete_without_duplicates(tmp_path):
    # The endpoint holds its first answer until the second run says it is waiting, so the two
    # runs overlap however slowly either starts.
    gate = threading.Event()

    def gated_answer(messages: list[dict[str, Any]]) -> str:
        gate.wait(timeout=120)
        return "A"

    second_err = tmp_path / "second.err"
    out = tmp_path / "out"
    with FaultServer(FaultPlan(sleep_s=0.02), answer=gated_answer) as server:
        first = _start_run(server, out)
        _wait_for(lambda: server.counters.in_flight > 0, "the first run's first request")
        with open(second_err, "w") as err:
            second = _start_run(server, out, stderr=err)
            _wait_for(lambda: "waiting:" in second_err.read_text(), "the second run to wait for the first")
            gate.set()
            outputs = [first.communicate(timeout=300), second.communicate(timeout=300)]
        assert [first.returncode, second.returncode] == [0, 0], (outputs, second_err.read_text())
        assert server.counters.total == 5 * EPISODES  # each prompt sent once, by the run that held the unit
        assert max(server.counters.by_prompt.values()) == 1
    assert f"is being run by pid {first.pid}" in second_err.read_text()
    assert "computed" in outputs[0][0] and "reused" in outputs[1][0]  # the second waited, then reused
    lines = _log_lines(out)
    assert len(lines) == EPISODES + 1 and len(set(lines)) == len(lines)
    assert _result(out)["request_failures"]["failed_queries"] == 0


def test_a_lock_left_by_a_killed_run_is_reported_stale_and_taken_over(capsys, tmp_path):
    from tests.support.cli_helpers import valid_run_argv

    assert main(valid_run_argv(tmp_path)) == 0
    (lock,) = tmp_path.rglob(".lock")
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    lock.write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(), "since": "then"}))
    assert main(valid_run_argv(tmp_path, "--overwrite", "always")) == 0
    err = capsys.readouterr().err
    assert f"was left by pid {int(dead.stdout)}" in err and "no longer runs" in err


def test_a_killed_then_resumed_seed_reports_the_time_of_both_runs(tmp_path):
    import signal

    with FaultServer(FaultPlan(sleep_s=0.1)) as server:
        first = _start_run(server, tmp_path)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            logs = list(tmp_path.rglob("*.predictions.jsonl"))
            if logs and len(logs[0].read_text().splitlines()) >= 4:
                break
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)
        (timing_log,) = tmp_path.rglob("*.timing.jsonl")
        killed_s = json.loads(timing_log.read_text().splitlines()[-1])["predict_s"]
        second = _start_run(server, tmp_path)
        _, err = second.communicate(timeout=300)
        assert second.returncode == 0
        assert f"was left by pid {first.pid}" in err and "no longer runs" in err  # the SIGKILLed run's lock
    (seed,) = _result(tmp_path)["per_seed"]
    runs = [json.loads(line) for line in timing_log.read_text().splitlines()]
    last_of_second = runs[-1]["predict_s"]
    assert seed["timing"]["runs"] == 2 and seed["timing"]["resumed_from_episode"] >= 3
    assert seed["timing"]["predict_s"] == round(killed_s + last_of_second, 3)
    assert seed["timing"]["predict_s"] > last_of_second > 0
    assert _result(tmp_path)["timing"]["predict_s"] == seed["timing"]["predict_s"]
