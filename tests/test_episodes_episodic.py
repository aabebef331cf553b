"""The default episodic sampler: byte-identical by seed, prefixes, FewRel 2.0 NOTA, too-small relations named."""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import (
    build_episodes,
    episode_file_header,
    nota_per_episode,
    parse_setting,
    write_episode_file,
)
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Dataset
from tests.support.shared_data import SHARED_DATA as SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "data"


pytestmark = pytest.mark.usefixtures("shared_data_env")


@pytest.fixture(scope="module")
def val_wiki() -> Dataset:
    return load_dataset("fewrel/val_wiki", data_dir=SHARED)


def _episodic(ds: Dataset, setting: str, seed: int = 0, n: int = 1000, **kw: object) -> list:
    return list(build_episodes(
        ds, protocol="episodic", setting=parse_setting(setting, **kw), seed=seed, n_episodes=n
    ).episodes)


def test_same_seed_gives_byte_identical_files(val_wiki: Dataset, tmp_path: Path) -> None:
    setting = parse_setting("5-1")
    shas, blobs = [], []
    for attempt in range(2):
        episodes = list(build_episodes(val_wiki, protocol="episodic", setting=setting, seed=42, n_episodes=500).episodes)
        header = episode_file_header(val_wiki, protocol="episodic", setting=setting, seed=42, n_episodes=500)
        path = tmp_path / f"run{attempt}.jsonl"
        shas.append(write_episode_file(path, header, episodes))
        blobs.append(path.read_bytes())
    assert blobs[0] == blobs[1] and shas[0] == shas[1]
    other = list(build_episodes(val_wiki, protocol="episodic", setting=setting, seed=43, n_episodes=500).episodes)
    assert other != list(build_episodes(val_wiki, protocol="episodic", setting=setting, seed=42, n_episodes=500).episodes)


@pytest.mark.parametrize("setting", ["5-1", "10-5-q2", "5-1-na0.15", "5-5-q3-na0.5"])
def test_prefix_of_longer_run_equals_shorter_run(val_wiki: Dataset, setting: str) -> None:
    assert _episodic(val_wiki, setting, n=1000)[:100] == _episodic(val_wiki, setting, n=100)


def test_queries_never_in_their_own_supports(val_wiki: Dataset) -> None:
    episodes = _episodic(val_wiki, "5-5-q5", n=2000)
    for episode in episodes:
        supports = {i for group in episode.support for i in group}
        assert not supports & set(episode.queries)
        assert len(set(episode.queries)) == len(episode.queries) == 25
        assert len(supports) == 25 and len(set(episode.relations)) == 5
        for rel, group in zip(episode.relations, episode.support, strict=True):
            assert all(val_wiki.by_id[i].label == rel for i in group)
        assert all(
            val_wiki.by_id[q].label == gold for q, gold in zip(episode.queries, episode.labels, strict=True)
        )


def test_episode_ids_and_default_query_count(val_wiki: Dataset) -> None:
    episodes = _episodic(val_wiki, "10-1", seed=7, n=20)
    assert [e.id for e in episodes[:2]] == ["7-00000", "7-00001"]
    assert all(len(e.queries) == 10 for e in episodes)  # default Q = 1 per relation


def test_query_position_does_not_reveal_the_label(val_wiki: Dataset) -> None:
    episodes = _episodic(val_wiki, "5-1", n=3000)
    first_is_first_relation = sum(e.labels[0] == e.relations[0] for e in episodes) / len(episodes)
    assert 0.15 < first_is_first_relation < 0.25  # 1/5 when shuffled, 1.0 when not


def test_relations_drawn_evenly(val_wiki: Dataset) -> None:
    counts = Counter(rel for e in _episodic(val_wiki, "5-1", n=3200) for rel in e.relations)
    assert set(counts) == set(val_wiki.relations)
    assert all(abs(c - 1000) < 150 for c in counts.values())  # 3200 * 5 / 16 = 1000 each


@pytest.mark.parametrize(("rate", "per_episode"), [(0.5, Fraction(5)), (0.15, Fraction(15, 17))])
def test_nota_counts_follow_the_formula(val_wiki: Dataset, rate: float, per_episode: Fraction) -> None:
    episodes = _episodic(val_wiki, "5-1", n=10_000, na_rate=rate)
    counts = [sum(label == NOTA for label in e.labels) for e in episodes]
    for n in (1, 7, 100, 10_000):
        assert sum(counts[:n]) == math.floor(n * per_episode)
    total_nota, total = sum(counts), sum(len(e.labels) for e in episodes)
    assert abs(total_nota / total - rate) < 1e-3
    assert set(counts) <= {math.floor(per_episode), math.ceil(per_episode)}
    for episode, count in zip(episodes, counts, strict=True):
        assert nota_per_episode(parse_setting("5-1", na_rate=rate), int(episode.id.split("-")[1])) == count
        notas = [q for q, gold in zip(episode.queries, episode.labels, strict=True) if gold == NOTA]
        assert all(val_wiki.by_id[q].label not in episode.relations for q in notas)
        assert len(set(episode.queries)) == len(episode.queries)


def test_too_few_instances_names_setting_relation_and_counts() -> None:
    tiny = load_dataset(str(FIXTURES / "fewrel_named.json"))
    with pytest.raises(DataError) as info:
        build_episodes(tiny, protocol="episodic", setting=parse_setting("2-1-q2"), seed=0, n_episodes=1)
    message = str(info.value)
    assert "\n" not in message
    assert (
        "setting 2-1-q2" in message
        and "'founded by'" in message
        and "has 2 instances" in message
        and "=3" in message
    )
    kept = list(build_episodes(
        tiny,
        protocol="episodic",
        setting=parse_setting("1-1-q2"),
        seed=0,
        n_episodes=5,
        small_relations="skip",
    ).episodes)
    assert all(e.relations == ("place_of_birth",) for e in kept)


def test_more_ways_than_relations() -> None:
    tiny = load_dataset(str(FIXTURES / "fewrel_named.json"))
    with pytest.raises(DataError, match=r"setting 4-1-q1: N=4 but fewrel/fewrel_named has only 2 relations"):
        setting = parse_setting("4-1")
        build_episodes(
            tiny, protocol="episodic", setting=setting, seed=0, n_episodes=1, small_relations="skip"
        )


def test_nota_needs_relations_outside_the_n(val_wiki: Dataset) -> None:
    with pytest.raises(DataError, match="NOTA queries need relations outside"):
        _episodic(val_wiki, "16-1", n=2, na_rate=0.5)


def test_episodic_on_a_split_with_a_negative_label() -> None:
    test = load_dataset("semeval2010/test", data_dir=SHARED)
    setting = parse_setting("5-1", na_rate=0.5)
    episodes = list(build_episodes(
        test, protocol="episodic", setting=setting, seed=0, n_episodes=400, small_relations="skip"
    ).episodes)
    assert all("Other" not in e.relations for e in episodes)
    assert all("Entity-Destination(e2,e1)" not in e.relations for e in episodes)  # 1 instance < K+Q: skipped
    nota_labels = Counter(
        test.by_id[q].label for e in episodes for q, g in zip(e.queries, e.labels, strict=True) if g == NOTA
    )
    assert nota_labels["Other"] > 0  # the negative label's instances are NOTA queries too
