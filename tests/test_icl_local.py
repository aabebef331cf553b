"""ICL with the real embedded SmolLM2 server, and K-shot RC demo retrieval with the real MiniLM encoder."""

from __future__ import annotations

from pathlib import Path

import pytest

from baselines.icl import UNPARSED, ICLMethod
from fsre_bench.data import load_dataset
from fsre_bench.episodes import sample_kshot_split
from fsre_bench.llm import LLMConfig, stop_managed_servers
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.types import Episode, EpisodeData
from tests.support.icl_fixtures import DATA_DIR, make_episodes
from tests.support.llm_servers import FaultServer


def local_icl(tmp_path: Path, **options: object) -> ICLMethod:
    llm = LLMConfig.from_dict({"mode": "local", "cache_path": str(tmp_path / "llm.sqlite")})
    return ICLMethod(MethodConfig(seed=0, options={"llm": llm, **options}))


@pytest.mark.llm
def test_icl_on_smollm2_answers_parses_and_reruns_from_cache_across_server_restarts(tmp_path: Path) -> None:
    episodes, data = make_episodes(5, 1, 1, seed=7)
    try:
        method = local_icl(tmp_path)
        method.fit(None)
        first = list(method.predict(episodes, data))
        usage = method.llm_usage()
        method.close()
        labels = [label for p in first for label in p.labels]
        assert len(labels) == 5 and sum(p.failures for p in first) == 0
        assert all(label in e.relations or label == UNPARSED for p, e in zip(first, episodes, strict=True) for label in p.labels)
        assert usage["calls"] == 5 and usage["failures"] == 0 and usage["prompt_tokens"] > 5 * 300
        assert usage["model"] == "smollm2-135m-instruct" and usage["est_cost_usd"] == 0.0
        assert all(d["prompt_tokens"] > 300 and d["completion_tokens"] >= 1 for p in first for d in p.details)
        # A new method starts a new server on a new port; the cache key names the model, not the port.
        again = local_icl(tmp_path)
        second = list(again.predict(episodes, data))
        rerun = again.llm_usage()
        again.close()
        assert (rerun["calls"], rerun["cache_hits"]) == (0, 5)
        assert [p.labels for p in second] == [p.labels for p in first]
    finally:
        stop_managed_servers()


def test_kshot_demos_are_the_nearest_training_sentences(tmp_path: Path) -> None:
    train = load_dataset("semeval2010/train", DATA_DIR)
    test = load_dataset("semeval2010/test", DATA_DIR)
    split = sample_kshot_split(train, test, k=2, seed=13)
    # Queries: two test sentences and a copy of one training support (its nearest neighbour is itself).
    copied = split.support[3][1]
    episode = Episode(split.id, split.relations, split.support, (split.queries[0], copied, split.queries[5]),
                      (split.labels[0], split.relations[3], split.labels[5]))
    instances = {**train.by_id, **test.by_id}
    data = EpisodeData(instances=instances, relations={**test.relations, **train.relations}, protocol="kshot",
                       negative_label="Other")
    prompts: list[str] = []
    with FaultServer(answer=lambda messages: prompts.append(messages[-1]["content"]) or "A") as srv:
        llm = LLMConfig.from_dict({"mode": "remote", "base_url": srv.base_url, "cache_path": str(tmp_path / "c.sqlite"),
                                   "concurrency": 1})
        method = ICLMethod(MethodConfig(seed=0, options={"llm": llm, "icl_max_demos": 4}))
        prediction = next(method.predict([episode], data))
        method.close()
    assert [d["n_demos"] for d in prediction.details] == [4, 4, 4]
    copied_prompt = next(p for p in prompts if instances[copied].head_text in p.split("Now this one:")[1])
    demos_part = copied_prompt.split("Examples:")[1].split("Now this one:")[0]
    last_demo = demos_part.strip().split("\n\n")[-1]
    query_part = copied_prompt.split("Now this one:")[1]
    assert last_demo.split("\n")[0] == query_part.strip().split("\n")[0]  # most similar shown last
    assert "Options:" in copied_prompt and copied_prompt.count("\nAnswer: ") == 4
