"""``sampler="codalab"`` against an independent re-implementation of the official sample_io.py draws.

The reference functions below do not touch fsre_bench: they read the FewRel JSON themselves and
make the official script's calls in its order on a ``random.Random(seed)`` (the script seeds the
module-level generator, which is the same algorithm), with the relations as a list in file order.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import CODALAB_SEED, build_episodes, parse_setting
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import NOTA
from tests.support.shared_data import SHARED_DATA as SHARED

VAL_WIKI = SHARED / "fewrel" / "val_wiki.json"


pytestmark = pytest.mark.usefixtures("shared_data_env")


def _read_reference(path: Path) -> tuple[dict[str, list[dict[str, Any]]], dict[int, str]]:
    whole_division = json.loads(path.read_text())
    # Our instance id of every record object: "fewrel/val_wiki#<position across relations in file order>".
    ids: dict[int, str] = {}
    position = 0
    for records in whole_division.values():
        for record in records:
            ids[id(record)] = f"fewrel/val_wiki#{position}"
            position += 1
    return whole_division, ids


def reference_stream_v1(path: Path, size: int, n: int, k: int, seed: int) -> tuple[list[tuple], int]:
    """FewRel 1.0 sample_io.py draws -> ([(relations, supports, query, label)], quirk count)."""
    whole_division, ids = _read_reference(path)
    rng = random.Random(seed)
    relations = list(whole_division.keys())
    episodes = []
    quirks = 0
    for _ in range(size):
        sampled_relation = rng.sample(relations, n)
        target = rng.choice(range(len(sampled_relation)))
        target_relation = sampled_relation[target]
        meta_train = [rng.sample(whole_division[rel], k) for rel in sampled_relation]
        meta_test = rng.choice(whole_division[target_relation])
        if any(meta_test is support for support in meta_train[target]):
            quirks += 1
        supports = tuple(tuple(ids[id(r)] for r in group) for group in meta_train)
        episodes.append((tuple(sampled_relation), supports, ids[id(meta_test)], target_relation))
    return episodes, quirks


def reference_stream_v2(path: Path, size: int, n: int, k: int, rate: float, seed: int) -> list[tuple]:
    """FewRel 2.0 (NOTA) sample_io.py draws: NOTA episodes first, then the rest, then the swap pass."""
    whole_division, ids = _read_reference(path)
    rng = random.Random(seed)
    relations = list(whole_division.keys())
    input_data: list[tuple] = []
    nota_size = int(size * rate)
    for _ in range(nota_size):
        sampled_relation = rng.sample(relations, n)
        target_relation = rng.sample(relations, 1)
        while target_relation[0] in sampled_relation:
            target_relation = rng.sample(relations, 1)
        meta_train = [rng.sample(whole_division[rel], k) for rel in sampled_relation]
        meta_test = rng.choice(whole_division[target_relation[0]])
        supports = tuple(tuple(ids[id(r)] for r in group) for group in meta_train)
        input_data.append((tuple(sampled_relation), supports, ids[id(meta_test)], NOTA))
    for _ in range(size - nota_size):
        sampled_relation = rng.sample(relations, n)
        target = rng.choice(range(len(sampled_relation)))
        meta_train = [rng.sample(whole_division[rel], k) for rel in sampled_relation]
        meta_test = rng.choice(whole_division[sampled_relation[target]])
        supports = tuple(tuple(ids[id(r)] for r in group) for group in meta_train)
        input_data.append((tuple(sampled_relation), supports, ids[id(meta_test)], sampled_relation[target]))
    for i in range(1, size):
        j = rng.randint(0, i - 1)
        input_data[i], input_data[j] = input_data[j], input_data[i]
    return input_data


def _as_tuples(episodes: list) -> list[tuple]:
    return [(e.relations, e.support, e.queries[0], e.labels[0]) for e in episodes]


def test_first_10000_5way_1shot_episodes_match_the_official_draws() -> None:
    ds = load_dataset("fewrel/val_wiki")
    ours = list(build_episodes(
        ds,
        protocol="episodic",
        setting=parse_setting("5-1"),
        seed=CODALAB_SEED,
        n_episodes=10_000,
        sampler="codalab",
    ).episodes)
    reference, quirks = reference_stream_v1(VAL_WIKI, 10_000, 5, 1, CODALAB_SEED)
    assert _as_tuples(ours) == reference
    assert all(len(e.queries) == 1 for e in ours)
    assert ours[0].id == "12345-00000" and ours[-1].id == "12345-09999"
    # PROTOCOLS.md: 17 of 10,000 5-1 episodes on val_wiki have the query equal to a support
    ours_quirks = sum(1 for e in ours if e.queries[0] in e.support[e.relations.index(e.labels[0])])
    assert quirks == ours_quirks == 17


def test_5way_5shot_and_other_seed_match() -> None:
    ds = load_dataset("fewrel/val_wiki")
    ours = list(build_episodes(
        ds, protocol="episodic", setting=parse_setting("10-5"), seed=7, n_episodes=500, sampler="codalab"
    ).episodes)
    assert _as_tuples(ours) == reference_stream_v1(VAL_WIKI, 500, 10, 5, 7)[0]


@pytest.mark.parametrize("rate", [0.15, 0.5])
def test_fewrel2_nota_stream_matches(rate: float) -> None:
    ds = load_dataset("fewrel/val_wiki")
    setting = parse_setting("5-1", na_rate=rate)
    ours = list(build_episodes(
        ds, protocol="episodic", setting=setting, seed=CODALAB_SEED, n_episodes=2000, sampler="codalab"
    ).episodes)
    assert _as_tuples(ours) == reference_stream_v2(VAL_WIKI, 2000, 5, 1, rate, CODALAB_SEED)
    assert sum(e.labels[0] == NOTA for e in ours) == int(2000 * rate)
    for episode in ours:
        if episode.labels[0] == NOTA:
            assert ds.by_id[episode.queries[0]].label not in episode.relations


def test_codalab_v1_prefix_property() -> None:
    ds = load_dataset("fewrel/val_wiki")
    setting = parse_setting("5-1")
    long = list(build_episodes(
        ds, protocol="episodic", setting=setting, seed=1, n_episodes=1000, sampler="codalab"
    ).episodes)
    short = list(build_episodes(
        ds, protocol="episodic", setting=setting, seed=1, n_episodes=100, sampler="codalab"
    ).episodes)
    assert long[:100] == short


def test_codalab_errors() -> None:
    ds = load_dataset("fewrel/val_wiki")
    with pytest.raises(ConfigError, match="exactly 1 query"):
        build_episodes(
            ds, protocol="episodic", setting=parse_setting("5-1-q2"), seed=1, n_episodes=1, sampler="codalab"
        )
    with pytest.raises(DataError, match="N=17"):
        build_episodes(
            ds, protocol="episodic", setting=parse_setting("17-1"), seed=1, n_episodes=1, sampler="codalab"
        )
    with pytest.raises(DataError, match="NOTA needs"):
        setting = parse_setting("16-1", na_rate=0.5)
        build_episodes(ds, protocol="episodic", setting=setting, seed=1, n_episodes=2, sampler="codalab")
    with pytest.raises(DataError, match="700 instances but K=701"):
        build_episodes(
            ds, protocol="episodic", setting=parse_setting("5-701"), seed=1, n_episodes=1, sampler="codalab"
        )
    with pytest.raises(ConfigError, match="protocol must be 'episodic'"):
        build_episodes(
            ds, protocol="natural-nota", setting=parse_setting("5-1"), seed=1, n_episodes=1, sampler="codalab"
        )
