"""LLMClient against real loopback HTTP servers: order, bounded concurrency, cache, faults, accounting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fsre_bench.llm import ChatRequest, LLMConfig, open_llm
from fsre_bench.llm.client import LLMClient
from tests.support.llm_servers import FaultPlan, FaultServer


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer(answer=lambda messages: "echo:" + messages[-1]["content"]) as srv:
        yield srv


def client_for(srv: FaultServer, tmp_path: Path, **overrides: object) -> LLMClient:
    settings: dict = {
        "mode": "remote",
        "base_url": srv.base_url,
        "cache_path": str(tmp_path / "llm.sqlite"),
        "timeout_s": 2.0,
        "max_retries": 1,
    }
    settings.update(overrides)
    return open_llm(LLMConfig.from_dict(settings))


def prompts(n: int) -> list[ChatRequest]:
    return [ChatRequest.user(f"q{i}", max_tokens=4) for i in range(n)]


def test_results_come_back_in_input_order_and_rerun_is_all_cache(server: FaultServer, tmp_path: Path) -> None:
    client = client_for(server, tmp_path)
    first = list(client.map(prompts(30)))
    assert [r.text for r in first] == [f"echo:q{i}" for i in range(30)]
    assert server.counters.total == 30
    assert not any(r.cached for r in first)
    server.counters.reset()
    second = list(client.map(prompts(30)))
    assert server.counters.total == 0
    assert [r.text for r in second] == [r.text for r in first]
    assert all(r.cached for r in second)
    assert [r.prompt_tokens for r in second] == [r.prompt_tokens for r in first]
    usage = client.usage_dict()
    assert (usage["calls"], usage["cache_hits"], usage["failures"]) == (30, 30, 0)
    assert usage["prompt_tokens"] == 30 and usage["completion_tokens"] == 30
    client.close()
    # A new client (a new process in real life) reads the same SQLite file.
    fresh = client_for(server, tmp_path)
    assert all(r.cached for r in fresh.map(prompts(30)))
    assert server.counters.total == 0
    fresh.close()


def test_in_flight_requests_are_bounded_and_pulled_lazily(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(sleep_s=0.05)) as srv:
        client = client_for(srv, tmp_path, concurrency=3)
        pulled = 0

        def requests() -> Iterator[ChatRequest]:
            nonlocal pulled
            for request in prompts(40):
                pulled += 1
                yield request

        results = client.map(requests(), window=6)
        next(results)
        assert pulled <= 6  # requests are created window by window, never all at once
        rest = list(results)
        assert len(rest) == 39
        assert srv.counters.max_in_flight == 3
        client.close()


def test_sampling_above_zero_is_cached_only_with_a_sample_index(server: FaultServer, tmp_path: Path) -> None:
    client = client_for(server, tmp_path, temperature=0.7)
    plain = ChatRequest.user("warm", max_tokens=4)
    indexed = [ChatRequest.user("warm", max_tokens=4, sample_index=i) for i in range(2)]
    assert not client.is_cacheable(plain) and client.is_cacheable(indexed[0])
    for _ in range(2):
        list(client.map([plain, *indexed]))
    # plain went out twice; each sample index once (then from the cache)
    assert server.counters.total == 2 + 2
    assert client.key_for(indexed[0]) != client.key_for(indexed[1])
    client.close()


def test_thirty_percent_faults_complete_and_rerun_retries_only_failures(tmp_path: Path) -> None:
    plan = FaultPlan(fail_rate=0.2, hang_rate=0.1, hang_s=1.5, seed=3)
    with FaultServer(plan) as srv:
        client = client_for(srv, tmp_path, timeout_s=0.5, max_retries=1, concurrency=8)
        results = list(client.map(prompts(40)))
        failed = [i for i, r in enumerate(results) if not r.ok]
        assert 6 <= len(failed) <= 20  # ~30% of 40 by hash; the exact share is fixed by the seed
        assert all(r.error for r in results if not r.ok)
        assert any("timeout" in (r.error or "") for r in results)
        assert any("500" in (r.error or "") for r in results)
        assert client.usage_dict()["failures"] == len(failed)
        # Each failed prompt was tried 1 + max_retries times; each good one once.
        assert all(
            srv.counters.by_prompt[k] == 2 for k in set(srv.counters.by_prompt) - srv.counters.ok_prompts
        )
        srv.plan = FaultPlan()  # the endpoint recovers
        srv.counters.reset()
        rerun = list(client.map(prompts(40)))
        assert all(r.ok for r in rerun)
        assert srv.counters.total == len(failed)
        assert [i for i, r in enumerate(rerun) if not r.cached] == failed
        client.close()


@pytest.mark.parametrize(
    ("plan", "error"),
    [
        (FaultPlan(empty_rate=1.0), "empty reply"),
        (FaultPlan(broken_json_rate=1.0), ""),
    ],
)
def test_empty_and_broken_replies_are_failures_not_crashes(
    tmp_path: Path, plan: FaultPlan, error: str
) -> None:
    with FaultServer(plan) as srv:
        client = client_for(srv, tmp_path, max_retries=0)
        results = list(client.map(prompts(3)))
        assert not any(r.ok for r in results)
        assert all(error in (r.error or "") for r in results)
        assert client.cache is not None and len(client.cache) == 0  # failures are never cached
        client.close()


def test_garbage_text_is_a_reply_and_is_cached(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(garbage_rate=1.0)) as srv:
        client = client_for(srv, tmp_path)
        result = client.complete(ChatRequest.user("q"))
        assert result.ok and "lorem" in (result.text or "")
        assert client.complete(ChatRequest.user("q")).cached
        client.close()


def test_api_key_never_reaches_errors_usage_or_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-test-very-secret-4242"
    monkeypatch.setenv("FSRE_TEST_KEY", key)
    with FaultServer(FaultPlan(require_key=key, fail_rate=0.5, seed=1)) as srv:
        client = client_for(srv, tmp_path, api_key_env="FSRE_TEST_KEY", max_retries=0)
        results = list(client.map(prompts(10)))
        assert any(r.ok for r in results) and any(not r.ok for r in results)
        text = (
            repr(results) + repr(client.usage_dict()) + repr(client.endpoint) + repr(client.config.to_dict())
        )
        client.close()
        assert key not in text
        assert key.encode() not in (tmp_path / "llm.sqlite").read_bytes()
        for extra in tmp_path.glob("llm.sqlite-*"):
            assert key.encode() not in extra.read_bytes()


def test_cost_estimate_uses_the_price_table_or_the_override(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(model="gpt-4o-mini-2024-07-18")) as srv:
        client = client_for(srv, tmp_path)
        list(client.map(prompts(4)))
        usage = client.usage_dict()
        assert usage["est_cost_usd"] == pytest.approx((4 * 0.15 + 4 * 0.60) / 1e6)
        client.close()
    with FaultServer() as srv:
        unknown = client_for(srv, tmp_path)
        assert unknown.usage_dict()["est_cost_usd"] is None
        unknown.close()
        priced = client_for(srv, tmp_path, price_per_mtok=[1.0, 2.0], cache=False)
        list(priced.map(prompts(2)))
        assert priced.usage_dict()["est_cost_usd"] == pytest.approx((2 * 1 + 2 * 2) / 1e6)
        priced.close()


def test_duplicate_requests_in_flight_share_one_call(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(sleep_s=0.2)) as srv:
        client = client_for(srv, tmp_path, concurrency=4)
        results = list(client.map([ChatRequest.user("same")] * 4))
        assert srv.counters.total == 1
        assert [r.text for r in results] == ["A"] * 4
        client.close()


def test_no_thread_or_loop_left_after_close(server: FaultServer, tmp_path: Path) -> None:
    import threading

    client = client_for(server, tmp_path)
    list(client.map(prompts(3)))
    client.close()
    assert not any(t.name == "fsre-llm-loop" and t.is_alive() for t in threading.enumerate())


def test_abandoning_a_map_midway_and_closing_cancels_what_is_in_flight(tmp_path: Path) -> None:
    import threading
    import time

    with FaultServer(FaultPlan(sleep_s=0.3)) as srv:
        client = client_for(srv, tmp_path, concurrency=4)
        results = client.map(prompts(40))
        next(results)
        t0 = time.monotonic()
        results.close()
        client.close()
        assert time.monotonic() - t0 < 3.0
        assert srv.counters.total < 40
    assert not any(t.name == "fsre-llm-loop" and t.is_alive() for t in threading.enumerate())
