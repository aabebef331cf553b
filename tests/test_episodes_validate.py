"""Every episode checked against its file's header, for each sampler and protocol; the first mismatch named."""

from __future__ import annotations

from dataclasses import replace

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episodes
from fsre_bench.episodes.validate import check_episodes_match_header
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA


@pytest.fixture(scope="module")
def wiki():
    return load_dataset("fewrel/val_wiki")


def _built(dataset, protocol="episodic", sampler="default", **setting):
    episodes, header = build_episodes(dataset, protocol=protocol, seed=2, n_episodes=20, sampler=sampler,
                                      setting=EpisodeSetting(**{"n_way": 5, "k_shot": 2, **setting}))
    return list(episodes), header


@pytest.mark.parametrize(("protocol", "sampler", "setting"), [
    ("episodic", "default", {}), ("episodic", "default", {"na_rate": 0.3, "n_query": 2}),
    ("episodic", "codalab", {"k_shot": 1, "na_rate": 0.0}), ("natural-nota", "default", {"n_query": 3}),
])
def test_what_the_samplers_build_passes(wiki, protocol, sampler, setting) -> None:
    episodes, header = _built(wiki, protocol, sampler, **setting)
    check_episodes_match_header("e.jsonl", header, episodes)


def test_a_kshot_split_passes_with_ragged_supports() -> None:
    (split,), header = build_episodes(load_dataset("semeval2010/test"), protocol="kshot", seed=13,
                                      support_pool=load_dataset("semeval2010/train"), k=8, query_limit=40)
    check_episodes_match_header("k.jsonl", header, [split])
    with pytest.raises(DataError, match=r"k\.jsonl: line 2 .*: n_query: expected 41 queries in the episode, found 40"):
        check_episodes_match_header("k.jsonl", {**header, "n_query": 41}, [split])
    with pytest.raises(DataError, match=r"k_shot: the header says 9 but no label has more than 8 supports"):
        check_episodes_match_header("k.jsonl", {**header, "k_shot": 9}, [split])
    nota = replace(split, labels=(NOTA, *split.labels[1:]))
    with pytest.raises(DataError, match=r"labels: a K-shot split has no NOTA queries"):
        check_episodes_match_header("k.jsonl", header, [nota])


def test_an_episode_that_disagrees_is_named_by_line_and_field(wiki) -> None:
    episodes, header = _built(wiki, na_rate=0.3)
    third = episodes[2]
    drop = next(i for i, label in enumerate(third.labels) if label != NOTA)  # one of a relation's queries
    cases = [
        (replace(third, relations=third.relations[:4], support=third.support[:4]), "n_way: the header says 5"),
        (replace(third, relations=(third.relations[0], *third.relations[:4])), "relations: a relation is listed twice"),
        (replace(third, support=(third.support[0][:1], *third.support[1:])), "k_shot: the header says 2 supports"),
        (replace(third, queries=third.queries[:drop] + third.queries[drop + 1:],
                 labels=third.labels[:drop] + third.labels[drop + 1:]), "n_query: the header says 1 queries"),
    ]
    for episode, field in cases:
        with pytest.raises(DataError, match=rf"^e\.jsonl: line 4 \(episode {third.id}\): {field}"):
            check_episodes_match_header("e.jsonl", header, [*episodes[:2], episode, *episodes[3:]])
    with pytest.raises(DataError, match=r"na_rate: the header's na_rate 0.5 puts \d NOTA queries in this episode"):
        check_episodes_match_header("e.jsonl", {**header, "na_rate": 0.5}, episodes)


def test_a_bad_header_field_is_refused_on_line_1(wiki) -> None:
    episodes, header = _built(wiki)
    for key, value in (("n_way", 0), ("k_shot", True), ("n_query", "1")):
        with pytest.raises(DataError, match=rf"^e\.jsonl: line 1: header field {key} must be an integer >= 1"):
            check_episodes_match_header("e.jsonl", {**header, key: value}, episodes)
    with pytest.raises(DataError, match=r"line 1: header field na_rate must be a share 0 <= na_rate < 1, got 1"):
        check_episodes_match_header("e.jsonl", {**header, "na_rate": 1}, episodes)


def test_codalab_and_natural_nota_shares_are_checked(wiki) -> None:
    episodes, header = _built(wiki, "episodic", "codalab", k_shot=1, na_rate=0.0)
    with pytest.raises(DataError, match=r"na_rate: the header's na_rate 0.5 over 20 episodes means 10 NOTA episodes, "
                                        r"the file has 0"):
        check_episodes_match_header("c.jsonl", {**header, "na_rate": 0.5}, episodes)
    natural, natural_header = _built(wiki, "natural-nota", n_query=3)
    with pytest.raises(DataError, match=r"natural-nota episodes take their NOTA share from the data, the header says 0.2"):
        check_episodes_match_header("n.jsonl", {**natural_header, "na_rate": 0.2}, natural)
