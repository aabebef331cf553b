"""ICLMethod end to end against loopback servers, on episodes built from the real FewRel file."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from baselines.icl import UNPARSED, ICLMethod
from fsre_bench.errors import ConfigError, LLMError
from fsre_bench.llm import LLMConfig
from fsre_bench.llm.local_server import free_loopback_port
from fsre_bench.methods.interface import Method, MethodConfig
from fsre_bench.types import NOTA
from tests.support.icl_fixtures import Oracle, gold_by_query, make_episodes
from tests.support.llm_servers import FaultPlan, FaultServer


def icl(srv_url: str, tmp_path: Path, seed: int = 0, **options: object) -> ICLMethod:
    llm = LLMConfig.from_dict(
        {
            "mode": "remote",
            "base_url": srv_url,
            "cache_path": str(tmp_path / "llm.sqlite"),
            "timeout_s": 1.0,
            "max_retries": 1,
            "concurrency": 8,
        }
    )
    return ICLMethod(MethodConfig(seed=seed, options={"llm": llm, **options}))


def accuracy(predictions: list, episodes: list) -> float:
    pairs = [
        (p, g)
        for pr, ep in zip(predictions, episodes, strict=True)
        for p, g in zip(pr.labels, ep.labels, strict=True)
    ]
    return sum(p == g for p, g in pairs) / len(pairs)


@pytest.fixture
def oracle_server() -> Iterator[tuple[FaultServer, Oracle, list, object]]:
    episodes, data = make_episodes(5, 1, 6, seed=1)
    oracle = Oracle(gold_by_query(episodes, data))
    with FaultServer(answer=oracle) as srv:
        yield srv, oracle, episodes, data


def test_icl_is_a_method_and_a_perfect_llm_scores_one_and_reruns_from_cache(
    oracle_server, tmp_path: Path
) -> None:
    srv, oracle, episodes, data = oracle_server
    method = icl(srv.base_url, tmp_path)
    assert isinstance(method, Method)
    method.fit(None)
    predictions = list(method.predict(episodes, data))
    assert [p.episode_id for p in predictions] == [e.id for e in episodes]
    assert accuracy(predictions, episodes) == 1.0
    detail = predictions[0].details[0]
    assert set(detail) >= {
        "prompt_hash",
        "response",
        "parsed",
        "parse_ok",
        "prompt_tokens",
        "completion_tokens",
    }
    assert detail["parse_ok"] and detail["n_demos"] == 5
    assert set(predictions[0].volatile[0]) == {"latency_s", "cached"}
    assert srv.counters.total == 30
    # The prompt shows every relation as an option and the five supports as marked demonstrations.
    assert oracle.prompts[0].count("<H>") == 6 and "Options:" in oracle.prompts[0]
    usage = method.llm_usage()
    assert (usage["calls"], usage["cache_hits"], usage["failures"]) == (30, 0, 0)
    srv.counters.reset()
    again = list(method.predict(episodes, data))
    assert srv.counters.total == 0
    assert [p.details for p in again] == [p.details for p in predictions]  # deterministic log
    assert all(v["cached"] for p in again for v in p.volatile)
    method.close()


def test_nota_setting_offers_and_reads_none_of_the_above(tmp_path: Path) -> None:
    episodes, data = make_episodes(5, 1, 3, seed=2, nota_queries=2)
    with FaultServer(answer=Oracle(gold_by_query(episodes, data))) as srv:
        method = icl(srv.base_url, tmp_path)
        predictions = list(method.predict(episodes, data))
        method.close()
    assert accuracy(predictions, episodes) == 1.0
    assert sum(label == NOTA for p in predictions for label in p.labels) == 6


def test_batch_mode_sends_one_request_per_episode(oracle_server, tmp_path: Path) -> None:
    srv, _, episodes, data = oracle_server
    method = icl(srv.base_url, tmp_path, icl_batch_queries=True)
    predictions = list(method.predict(episodes, data))
    method.close()
    assert srv.counters.total == len(episodes)
    assert accuracy(predictions, episodes) == 1.0
    assert predictions[0].details[2]["batch_slot"] == 2 and predictions[0].details[2]["batch_size"] == 5


def test_faults_and_garbage_complete_the_run_and_rerun_retries_only_failures(tmp_path: Path) -> None:
    episodes, data = make_episodes(5, 1, 8, seed=3)
    oracle = Oracle(gold_by_query(episodes, data))
    plan = FaultPlan(fail_rate=0.2, hang_rate=0.1, hang_s=2.0, garbage_rate=0.1, seed=5)
    with FaultServer(plan, answer=oracle) as srv:
        method = icl(srv.base_url, tmp_path)
        predictions = list(method.predict(episodes, data))
        labels = [label for p in predictions for label in p.labels]
        failures = sum(p.failures for p in predictions)
        details = [d for p in predictions for d in p.details]
        failed = [d for d in details if "error" in d]
        garbage = [d for d in details if "error" not in d and not d["parse_ok"]]
        assert len(predictions) == 8 and failures == len(failed) > 0 and garbage
        assert labels.count(UNPARSED) == len(failed) + len(garbage)  # both count wrong, never dropped
        assert all(d["error"] and d["response"] is None and not d["parse_ok"] for d in failed)
        assert all(d["response"] and d["parsed"] is None for d in garbage)
        assert method.llm_usage()["failures"] == failures
        srv.plan = FaultPlan()
        srv.counters.reset()
        rerun = list(method.predict(episodes, data))
        method.close()
    assert srv.counters.total == failures  # garbage replies were answers: cached, not retried
    assert sum(p.failures for p in rerun) == 0


def test_requests_of_many_episodes_are_in_flight_together_and_episodes_stream_in_order(
    tmp_path: Path,
) -> None:
    episodes, data = make_episodes(5, 1, 40, seed=4)
    with FaultServer(FaultPlan(sleep_s=0.05), answer=Oracle(gold_by_query(episodes, data))) as srv:
        method = icl(srv.base_url, tmp_path)
        stream = method.predict(episodes, data)
        first = next(stream)
        sent_when_first_came = srv.counters.total
        rest = list(stream)
        method.close()
        assert srv.counters.max_in_flight == 8  # > 5 queries per episode: episodes overlap
    assert first.episode_id == episodes[0].id and [p.episode_id for p in rest] == [e.id for e in episodes[1:]]
    assert sent_when_first_came < 200  # streamed, not after all 200 requests


def test_max_demos_and_token_budget_bound_long_episodes(tmp_path: Path) -> None:
    episodes, data = make_episodes(10, 5, 1, seed=5)
    with FaultServer(answer=Oracle(gold_by_query(episodes, data))) as srv:
        capped = icl(srv.base_url, tmp_path, icl_max_demos=12)
        assert {d["n_demos"] for d in next(capped.predict(episodes, data)).details} == {12}
        capped.close()
        budgeted = icl(srv.base_url, tmp_path, icl_token_budget=1200)
        prediction = next(budgeted.predict(episodes, data))
        budgeted.close()
    n_demos = {d["n_demos"] for d in prediction.details}
    assert len(n_demos) == 1 and 0 < n_demos.pop() < 50  # one demo set per episode, cut to fit
    assert max(d["prompt_tokens"] for d in prediction.details) < 1200  # server counts words: a lower bound


def test_demo_order_is_seeded(oracle_server, tmp_path: Path) -> None:
    srv, _, episodes, data = oracle_server
    hashes = []
    for seed in (0, 0, 1):
        method = icl(srv.base_url, tmp_path, seed=seed)
        hashes.append([d["prompt_hash"] for p in method.predict(episodes, data) for d in p.details])
        method.close()
    assert hashes[0] == hashes[1]
    assert not set(hashes[0]) & set(hashes[2])  # another seed shows the demos in another order


def test_a_bad_endpoint_fails_in_fit_before_any_episode_work(tmp_path: Path) -> None:
    method = icl(f"http://127.0.0.1:{free_loopback_port()}/v1", tmp_path)
    with pytest.raises(LLMError, match="cannot reach"):
        method.fit(None)
    method.close()


@pytest.mark.parametrize("options", [{"icl_max_demos": -1}, {"icl_token_budget": 0}, {"llm": 3}])
def test_bad_options_are_config_errors(options: dict, tmp_path: Path) -> None:
    from fsre_bench.errors import ConfigError

    with pytest.raises(ConfigError):
        ICLMethod(MethodConfig(options=options))


def test_meta_names_the_model_and_settings(oracle_server, tmp_path: Path) -> None:
    srv, _, _, _ = oracle_server
    method = icl(srv.base_url, tmp_path, icl_max_demos=7)
    method.fit(None)
    meta = method.meta
    method.close()
    assert meta.type == "icl" and meta.backbone == "fault-test-model" and meta.training_data is None
    assert meta.extra["max_demos"] == 7 and meta.extra["llm"]["base_url"] == srv.base_url
    assert not math.isnan(meta.extra["token_budget"])


def test_cyclic_permutations_keep_a_perfect_llm_perfect_at_n_calls_per_query(oracle_server, tmp_path: Path) -> None:
    srv, _, episodes, data = oracle_server
    method = icl(srv.base_url, tmp_path, icl_permutations="cyclic")
    predictions = list(method.predict(episodes, data))
    method.close()
    assert accuracy(predictions, episodes) == 1.0
    assert srv.counters.total == 30 * 5  # 30 queries x 5 rotations of the 5 options
    detail = predictions[0].details[0]
    assert detail["votes"] == [episodes[0].labels[0]] * 5 and detail["tied"] is False


def test_cyclic_permutations_undo_an_always_a_position_bias(tmp_path: Path) -> None:
    """An LLM that answers "A" to everything: degenerate by position without the remedy, not with it."""
    from fsre_bench.metrics.degenerate import degenerate_verdict, prediction_distribution

    episodes, data = make_episodes(5, 1, 20, seed=3)
    with FaultServer(answer=lambda messages: "A") as srv:
        plain = icl(srv.base_url, tmp_path / "plain")
        biased = list(plain.predict(episodes, data))
        plain.close()
        permuted_method = icl(srv.base_url, tmp_path / "cyclic", icl_permutations="cyclic")
        permuted = list(permuted_method.predict(episodes, data))
        permuted_method.close()

    def verdict(predictions: list) -> object:
        return degenerate_verdict(prediction_distribution(
            (ep.relations, p.labels, ep.labels) for p, ep in zip(predictions, episodes, strict=True)))

    assert verdict(biased) == {"kind": "position", "value": "0", "pred_share": 1.0, "gold_share": 0.2}
    assert verdict(permuted) is None  # each relation got one vote; the seeded tie-break spreads the answers
    assert all(p.details[0]["tied"] for p in permuted)


def test_cyclic_permutations_refuse_batched_queries(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="icl_batch_queries"):
        icl("http://127.0.0.1:9", tmp_path, icl_permutations="cyclic", icl_batch_queries=True)
    with pytest.raises(ConfigError, match="icl_permutations='all'"):
        icl("http://127.0.0.1:9", tmp_path, icl_permutations="all")
