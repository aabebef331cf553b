"""Issue 15 figures: two runs sharing --output-dir, a 30%-failing endpoint retried by a rerun, check costs.

Run: ``FSRE_BENCH_DATA_DIR=../shared/datasets .venv/bin/python -m pytest benchmarks/bench_reliability.py -s``.
Prints ``FIGURE`` lines; benchmarks/README.md records them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.llm_servers import FaultPlan, FaultServer

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback replies must not land in the user's LLM cache (subprocesses inherit the variable)."""
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path_factory.mktemp("cache")))


def _argv(url: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "icl", "--llm-base-url", url,
            "--llm-max-retries", "0", "--dataset", "fewrel/val_semeval", "--settings", "5-1", "--episodes", "10",
            "--seeds", "0", "--output-dir", str(out)]


def _start(url: str, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(_argv(url, out), cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_runs_on_one_output_directory(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(sleep_s=0.1)) as server:
        started = time.perf_counter()
        runs = [_start(server.base_url, tmp_path) for _ in range(2)]
        for run in runs:
            run.communicate(timeout=600)
        wall = time.perf_counter() - started
    (log,) = tmp_path.rglob("*.predictions.jsonl")
    lines = log.read_text().splitlines()
    print(f"FIGURE concurrent: exit codes {[r.returncode for r in runs]}, {server.counters.total} requests for 50 "
          f"prompts, {len(lines)} log lines ({len(set(lines))} distinct), "
          f"{len(list(tmp_path.rglob('n10_seeds0_*.json')))} result, {wall:.1f} s for both")


def test_thirty_percent_failures_then_a_plain_rerun(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(fail_rate=0.3, seed=3)) as server:
        first = subprocess.run(_argv(server.base_url, tmp_path), cwd=REPO, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
        failed = sum(1 for key in server.counters.by_prompt if key not in server.counters.ok_prompts)
        sent_first = server.counters.total
        server.plan = FaultPlan()
        server.counters.reset()
        second = subprocess.run(_argv(server.base_url, tmp_path), cwd=REPO, capture_output=True, text=True,
                                env={**os.environ, "PYTHONPATH": str(REPO)})
    (result,) = tmp_path.rglob("n10_seeds0_*.json")
    left = json.loads(result.read_text())["request_failures"]["failed_queries"]
    print(f"FIGURE 30% failing: first run exit {first.returncode}, {sent_first} requests, {failed} failed; "
          f"plain rerun exit {second.returncode}, {server.counters.total} requests, {left} failures left")


def test_cost_of_the_input_checks(tmp_path: Path) -> None:
    from fsre_bench.data import load_dataset
    from fsre_bench.data.common import parse_json_text
    from fsre_bench.episodes import read_episode_file
    from fsre_bench.episodes.validate import check_episodes_match_header

    raw = (Path(os.environ["FSRE_BENCH_DATA_DIR"]) / "fewrel" / "val_wiki.json").read_bytes()
    started = time.perf_counter()
    json.loads(raw)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    parse_json_text(raw, "val_wiki.json")
    checked = time.perf_counter() - started
    print(f"FIGURE val_wiki.json ({len(raw) / 1e6:.1f} MB) parse: json.loads {plain:.3f} s, with the duplicate-key "
          f"hook {checked:.3f} s")
    path = tmp_path / "eps.jsonl"
    from fsre_bench.cli.main import main

    assert main(["episodes", "build", "--dataset", "fewrel/val_wiki", "--episodes", "10000", "--na-rate", "0.15",
                 "--out", str(path)]) == 0
    dataset = load_dataset("fewrel/val_wiki")
    started = time.perf_counter()
    header, episodes = read_episode_file(path, expected_dataset=dataset)
    read_s = time.perf_counter() - started
    started = time.perf_counter()
    check_episodes_match_header(str(path), header, episodes)
    check_s = time.perf_counter() - started
    print(f"FIGURE 10,000-episode file (5-1, na 0.15): read {read_s:.3f} s, of which the header check {check_s:.3f} s")


def test_issue34_memory_flat_in_episodes_and_the_cost_of_verify(tmp_path: Path) -> None:
    """Peak RSS of random at 10k and 100k episodes (child processes, os.wait4); verify and leaderboard on results/."""
    import shutil

    from tests.test_reliability_resources import run_child

    for episodes in (10_000, 100_000):
        run = run_child(["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes", str(episodes),
                         "--output-dir", str(tmp_path / f"out{episodes}")], tmp_path, timeout_s=600, limit=False)
        print(f"FIGURE random 5-1 {episodes} episodes: exit {run.code}, peak RSS {run.peak_rss_mb:.0f} MB, "
              f"{run.wall_s:.1f} s")
    run = run_child(["verify", "--results", str(REPO / "results")], tmp_path, timeout_s=600, limit=False)
    print(f"FIGURE verify results/: exit {run.code}, {run.wall_s:.1f} s, peak RSS {run.peak_rss_mb:.0f} MB")
    copy = tmp_path / "results"
    shutil.copytree(REPO / "results", copy)
    for attempt in ("cold", "warm"):
        run = run_child(["leaderboard", "--results", str(copy)], tmp_path, timeout_s=600, limit=False)
        print(f"FIGURE leaderboard ({attempt} check memo): exit {run.code}, {run.wall_s:.1f} s")
