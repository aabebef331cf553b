"""The one episode builder, for every protocol: episodes and header describe each other; request checks (protocol,
sampler, count, NOTA rate, small-relation policy, what K-shot needs) come before the first episode."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episodes, parse_setting
from fsre_bench.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def test_bad_requests() -> None:
    tiny = load_dataset(str(FIXTURES / "fewrel_named.json"))
    setting = parse_setting("2-1")
    with pytest.raises(ConfigError, match="unknown protocol"):
        build_episodes(tiny, protocol="fewrel", setting=setting, seed=0, n_episodes=1)
    with pytest.raises(ConfigError, match="needs the support pool"):
        build_episodes(tiny, protocol="kshot", setting=setting, seed=0, n_episodes=1)
    with pytest.raises(ConfigError, match="unknown sampler"):
        build_episodes(tiny, protocol="episodic", setting=setting, seed=0, n_episodes=1, sampler="fast")
    with pytest.raises(ConfigError, match="n_episodes"):
        build_episodes(tiny, protocol="episodic", setting=setting, seed=0, n_episodes=0)
    with pytest.raises(ConfigError, match="drop na_rate"):
        build_episodes(
            tiny, protocol="natural-nota", setting=parse_setting("2-1", na_rate=0.5), seed=0, n_episodes=1
        )
    with pytest.raises(ConfigError, match="small_relations"):
        build_episodes(
            tiny, protocol="episodic", setting=setting, seed=0, n_episodes=1, small_relations="drop"
        )


@pytest.fixture(scope="module")
def semeval():
    return load_dataset("semeval2010/train"), load_dataset("semeval2010/test")


def test_an_episodic_build_and_its_header_describe_each_other() -> None:
    stream, header = build_episodes(load_dataset("fewrel/val_semeval"), protocol="episodic", seed=4,
                                    setting=EpisodeSetting(5, 1, n_query=2), n_episodes=6)
    episodes = list(stream)
    assert len(episodes) == header["n_episodes"] == 6
    assert (header["protocol"], header["n_way"], header["k_shot"], header["n_query"], header["seed"]) == \
        ("episodic", 5, 1, 2, 4)
    assert all(len(e.relations) == 5 and len(e.queries) == 10 for e in episodes)


def test_a_kshot_build_is_one_split_over_the_whole_test_set(semeval) -> None:
    train, test = semeval
    (split,), header = build_episodes(test, protocol="kshot", seed=21, support_pool=train, k=8)
    assert len(split.queries) == len(test) and header["k_shot"] == 8 and header["seed"] == 21
    assert max(len(group) for group in split.support) == 8


def test_missing_arguments_are_refused_before_any_work(semeval) -> None:
    train, test = semeval
    with pytest.raises(ConfigError, match="needs the support pool"):
        build_episodes(test, protocol="kshot", seed=13, k=8)
    with pytest.raises(ConfigError, match="needs the support pool"):
        build_episodes(test, protocol="kshot", seed=13, support_pool=train)
    with pytest.raises(ConfigError, match="protocol 'episodic' needs an N-way K-shot setting"):
        build_episodes(test, protocol="episodic", seed=13)
    with pytest.raises(ConfigError, match="codalab sampler"):
        build_episodes(test, protocol="kshot", seed=13, support_pool=train, k=8, sampler="codalab")
