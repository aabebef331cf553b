"""An episode file rebuilt from its header alone: the same episodes and sha256, a tampered header another."""

from __future__ import annotations

import hashlib

from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episodes, episodes_text
from fsre_bench.episodes.rebuild import rebuild_episodes
from tests.support.shared_data import SHARED_DATA


def _sha(header, episodes) -> str:
    return hashlib.sha256(episodes_text(header, episodes).encode("utf-8")).hexdigest()


def test_an_episodic_file_is_rebuilt_byte_for_byte_from_its_header() -> None:
    stream, header = build_episodes(load_dataset("fewrel/val_semeval"), protocol="episodic", seed=5,
                                    setting=EpisodeSetting(5, 1, na_rate=0.15), n_episodes=20)
    episodes = list(stream)
    sha, rebuilt = rebuild_episodes(header, SHARED_DATA)
    assert rebuilt == episodes and sha == _sha(header, episodes)
    other_seed, _ = rebuild_episodes({**header, "seed": 6}, SHARED_DATA)
    assert other_seed != sha


def test_a_codalab_and_a_natural_nota_file_rebuild_too() -> None:
    dataset = load_dataset("fewrel/val_wiki")
    for protocol, sampler in (("episodic", "codalab"), ("natural-nota", "default")):
        stream, header = build_episodes(dataset, protocol=protocol, seed=1, setting=EpisodeSetting(5, 1),
                                        n_episodes=8, sampler=sampler)
        episodes = list(stream)
        assert rebuild_episodes(header, SHARED_DATA) == (_sha(header, episodes), episodes), protocol


def test_a_kshot_split_is_rebuilt_from_its_train_and_test_names() -> None:
    train, test = load_dataset("semeval2010/train"), load_dataset("semeval2010/test")
    (split,), header = build_episodes(test, protocol="kshot", seed=13, support_pool=train, k=8, query_limit=50)
    sha, (rebuilt,) = rebuild_episodes(header, SHARED_DATA, query_limit=50)
    assert rebuilt == split and sha == _sha(header, [split]) and len(rebuilt.queries) == 50
    unlimited, _ = rebuild_episodes(header, SHARED_DATA)
    assert unlimited != sha  # the query limit is part of what is rebuilt
