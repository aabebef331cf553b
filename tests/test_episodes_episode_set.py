"""An episode set and its header in one call, for every protocol; K-shot query limits are nested prefixes."""

from __future__ import annotations

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episode_set
from fsre_bench.episodes.episode_set import limit_queries


@pytest.fixture(scope="module")
def semeval():
    return load_dataset("semeval2010/train"), load_dataset("semeval2010/test")


def test_an_episodic_set_and_its_header_describe_each_other() -> None:
    episodes, header = build_episode_set(load_dataset("fewrel/val_semeval"), protocol="episodic", seed=4,
                                         setting=EpisodeSetting(5, 1, n_query=2), n_episodes=6)
    assert len(episodes) == header["n_episodes"] == 6
    assert (header["protocol"], header["n_way"], header["k_shot"], header["n_query"], header["seed"]) == \
        ("episodic", 5, 1, 2, 4)
    assert all(len(e.relations) == 5 and len(e.queries) == 10 for e in episodes)


def test_a_kshot_set_is_one_split_over_the_whole_test_set(semeval) -> None:
    train, test = semeval
    (split,), header = build_episode_set(test, protocol="kshot", seed=21, support_pool=train, k=8)
    assert len(split.queries) == len(test) and header["k_shot"] == 8 and header["seed"] == 21
    assert max(len(group) for group in split.support) == 8


def test_missing_arguments_are_refused(semeval) -> None:
    train, test = semeval
    with pytest.raises(ValueError, match="needs the support pool"):
        build_episode_set(test, protocol="kshot", seed=13, k=8)
    with pytest.raises(ValueError, match="needs the support pool"):
        build_episode_set(test, protocol="kshot", seed=13, support_pool=train)
    with pytest.raises(ValueError, match="protocol 'episodic' needs an N-way K-shot setting"):
        build_episode_set(test, protocol="episodic", seed=13)


def test_a_smaller_query_limit_is_a_subset_of_a_larger_one_for_every_seed_and_k(semeval) -> None:
    train, test = semeval
    (split,), _ = build_episode_set(test, protocol="kshot", seed=13, support_pool=train, k=8)
    small, large = limit_queries(split, 30), limit_queries(split, 300)
    assert set(small.queries) < set(large.queries) < set(split.queries) and len(small.queries) == 30
    order = {query: i for i, query in enumerate(split.queries)}
    assert [order[q] for q in large.queries] == sorted(order[q] for q in large.queries)  # file order kept
    assert all(split.labels[order[q]] == label for q, label in zip(large.queries, large.labels, strict=True))
    (other,), _ = build_episode_set(test, protocol="kshot", seed=87, support_pool=train, k=16, query_limit=30)
    assert other.queries == small.queries  # the same 30 test queries whatever the seed and K
    assert limit_queries(split, 10**6).queries == split.queries
