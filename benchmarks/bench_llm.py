"""LLM layer and icl: cache rerun cost, concurrency speedup, prompt tokens per query, local concurrency.

Run: ``.venv/bin/python -m pytest benchmarks/bench_llm.py -s`` (``-m "not llm"`` skips the SmolLM2
parts). Each test prints one ``FIGURE`` line; benchmarks/README.md quotes them.
Budgets (the issue's): a rerun makes 0 requests and takes < 5% of the first run's wall time;
concurrency 8 gives >= 6x the throughput of concurrency 1 against a latency-bound endpoint.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baselines.icl import ICLMethod
from fsre_bench.data import load_dataset
from fsre_bench.episodes import build_episodes, parse_setting
from fsre_bench.llm import ChatRequest, LLMConfig, open_llm, stop_managed_servers
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.types import EpisodeData
from tests.support.llm_servers import FaultPlan, FaultServer

SHARED = Path(os.environ.get("FSRE_BENCH_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "datasets")
SLEEP_S = 0.1
N_LATENCY_REQUESTS = 64


def figure(name: str, value: object) -> None:
    print(f"\nFIGURE {name}: {value}", flush=True)


def episodes_for(setting: str, n_episodes: int, seed: int = 0) -> tuple[list, EpisodeData]:
    dataset = load_dataset("fewrel/val_wiki", SHARED)
    episodes = list(build_episodes(dataset, protocol="episodic", setting=parse_setting(setting), seed=seed,
                                   n_episodes=n_episodes).episodes)
    return episodes, EpisodeData(instances=dataset.by_id, relations=dataset.relations)


def timed_icl_run(cache_path: Path, episodes: list, data: EpisodeData) -> tuple[float, dict, list]:
    """fit + predict of a fresh ICLMethod (what a new `fsre-bench run` process does), wall seconds."""
    llm = LLMConfig(mode="local", cache_path=str(cache_path))
    t0 = time.perf_counter()
    method = ICLMethod(MethodConfig(seed=0, options={"llm": llm}))
    method.fit(None)
    predictions = list(method.predict(episodes, data))
    elapsed = time.perf_counter() - t0
    usage = method.llm_usage()
    method.close()
    return elapsed, usage, predictions


def throughput(base_url: str, concurrency: int, tmp_path: Path, n: int, tag: str) -> float:
    config = LLMConfig(mode="remote", base_url=base_url, concurrency=concurrency, cache=False)
    client = open_llm(config)
    t0 = time.perf_counter()
    results = list(client.map(ChatRequest.user(f"{tag} request {i}", max_tokens=4) for i in range(n)))
    elapsed = time.perf_counter() - t0
    client.close()
    assert all(r.ok for r in results)
    return n / elapsed


def test_concurrency_speedup_against_a_latency_bound_endpoint(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(sleep_s=SLEEP_S)) as srv:
        serial = throughput(srv.base_url, 1, tmp_path, N_LATENCY_REQUESTS, "c1")
        parallel = throughput(srv.base_url, 8, tmp_path, N_LATENCY_REQUESTS, "c8")
    figure("latency-bound endpoint (0.1 s/request, 64 requests) req/s c=1 -> c=8",
           f"{serial:.2f} -> {parallel:.2f} ({parallel / serial:.2f}x)")
    assert parallel / serial >= 6.0


@pytest.mark.llm
def test_icl_rerun_is_all_cache_and_under_5_percent(tmp_path: Path) -> None:
    episodes, data = episodes_for("5-1", 10)
    try:
        first_s, first, predictions = timed_icl_run(tmp_path / "llm.sqlite", episodes, data)
        second_s, second, again = timed_icl_run(tmp_path / "llm.sqlite", episodes, data)
    finally:
        stop_managed_servers()
    assert second["calls"] == 0 and second["cache_hits"] == first["calls"] == 50
    assert [p.labels for p in again] == [p.labels for p in predictions]
    figure("icl 5-1 x 10 episodes on SmolLM2: first run s, rerun s, ratio",
           f"{first_s:.2f}, {second_s:.3f}, {second_s / first_s:.4f}")
    assert second_s < 0.05 * first_s


@pytest.mark.llm
@pytest.mark.parametrize(("setting", "n_episodes"), [("5-1", 4), ("10-5", 2)])
def test_prompt_tokens_per_query(tmp_path: Path, setting: str, n_episodes: int) -> None:
    episodes, data = episodes_for(setting, n_episodes)
    try:
        elapsed, usage, predictions = timed_icl_run(tmp_path / "llm.sqlite", episodes, data)
    finally:
        stop_managed_servers()
    details = [d for p in predictions for d in p.details]
    tokens = [d["prompt_tokens"] for d in details]
    demos = [d["n_demos"] for d in details]
    figure(f"icl {setting} prompt tokens per query (SmolLM2 tokenizer, {len(tokens)} queries)",
           f"mean {statistics.mean(tokens):.0f}, max {max(tokens)}, demos/query {statistics.mean(demos):.1f}, "
           f"completion tokens/query {usage['completion_tokens'] / max(1, usage['calls']):.1f}, "
           f"{elapsed / len(tokens):.2f} s/query")


@pytest.mark.llm
def test_local_server_start_and_concurrency(tmp_path: Path) -> None:
    t0 = time.perf_counter()
    client = open_llm(LLMConfig(mode="local", cache=False))
    start_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    client.complete(ChatRequest.user("Name one colour.", max_tokens=8))
    first_s = time.perf_counter() - t1
    rates = {}
    try:
        for concurrency in (1, 2, 4):
            config = LLMConfig(mode="local", concurrency=concurrency, cache=False)
            timed = open_llm(config)
            t2 = time.perf_counter()
            list(timed.map(ChatRequest.user(f"Say the number {concurrency * 100 + i}.", max_tokens=8) for i in range(12)))
            rates[concurrency] = 12 / (time.perf_counter() - t2)
            timed.close()
    finally:
        client.close()
        stop_managed_servers()
    figure("local SmolLM2 server: start s, first prompt s", f"{start_s:.2f}, {first_s:.2f}")
    figure("local SmolLM2 short prompts req/s by concurrency", ", ".join(f"c={c}: {r:.2f}" for c, r in rates.items()))


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-s", "-q", *sys.argv[1:]]))
