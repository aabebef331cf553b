"""From a RunConfig to methods, data and episode sets, on the real shared datasets: one episode set per
(setting, seed) in order, --limit as a prefix, NOTA labels, an episode file read back, K-shot pools."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.data import load_dataset, resolve_data_dir
from fsre_bench.errors import ConfigError
from fsre_bench.runner import RunConfig
from fsre_bench.runner.plan import build_episode_sets, dataset_slug, has_nota, load_run_data, resolve_methods

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def _config(**overrides) -> RunConfig:
    return RunConfig(**({"methods": ["random"], "dataset": "fewrel/val_wiki", "episodes": 6, "n_query": 2}
                        | overrides))


def _sets(config: RunConfig):
    return build_episode_sets(config, load_run_data(config))


def test_methods_resolve_in_the_runs_order_and_an_unknown_one_fails_first() -> None:
    assert [m.name for m in resolve_methods(_config(methods=["proto", "random"]))] == ["proto", "random"]
    with pytest.raises(ConfigError, match=r"unknown method 'protoo'\. Did you mean: proto,"):
        resolve_methods(_config(methods=["random", "protoo"]))


def test_one_episode_set_per_setting_and_seed_each_in_its_own_file() -> None:
    sets = _sets(_config(settings=["5-1", "2-3"], seeds=[0, 1]))
    assert [(s.setting, s.seed) for s in sets] == [("5-1", 0), ("5-1", 1), ("2-3", 0), ("2-3", 1)]
    from fsre_bench.episodes import episode_file_sha256

    for episode_set in sets:
        assert len(episode_set.episodes) == episode_set.requested == 6 and not episode_set.limited
        assert episode_set.sha256 == episode_file_sha256(episode_set.path)
        n_way, k_shot = map(int, episode_set.setting.split("-"))
        first = episode_set.episodes[0]
        assert first.n_way == n_way and {len(s) for s in first.support} == {k_shot}
        assert len(first.queries) == n_way * 2  # n_query per relation
    assert len({s.sha256 for s in sets}) == 4
    assert [s.sha256 for s in _sets(_config(settings=["5-1", "2-3"], seeds=[0, 1]))] == [s.sha256 for s in sets]


def test_limit_runs_a_prefix_of_the_requested_episodes_and_says_so() -> None:
    whole = _sets(_config())[0]
    limited = _sets(_config(limit=2))[0]
    assert limited.requested == 6 and limited.limited and len(limited.episodes) == 2
    assert [e.id for e in limited.episodes] == [e.id for e in whole.episodes][:2]
    assert [e.queries for e in limited.episodes] == [e.queries for e in whole.episodes][:2]


def test_nota_queries_are_in_the_setting_label_and_in_the_episode_data() -> None:
    config = _config(na_rate=0.5)
    assert has_nota(config) and not has_nota(_config())
    data = load_run_data(config)
    assert data.episode_data.has_nota
    assert [s.setting for s in build_episode_sets(config, data)] == ["5-1-na0.5"]


def test_an_episode_file_is_read_back_as_the_set_that_wrote_it() -> None:
    built = _sets(_config(seeds=[3]))[0]
    again = _sets(_config(episodes_file=str(built.path)))
    assert len(again) == 1
    (read,) = again
    assert (read.setting, read.seed, read.sha256, read.requested) == ("5-1", 3, built.sha256, 6)
    assert [e.id for e in read.episodes] == [e.id for e in built.episodes]
    limited = _sets(_config(episodes_file=str(built.path), limit=4))[0]
    assert limited.limited and len(limited.episodes) == 4 and limited.requested == 6


def test_an_episode_file_of_another_protocol_is_refused() -> None:
    built = _sets(_config())[0]
    config = _config(protocol="natural-nota", settings=["5-1"], episodes_file=str(built.path))
    with pytest.raises(ConfigError, match="episode file is for protocol 'episodic', the run asks for 'natural-nota'"):
        _sets(config)


def test_episodic_data_is_the_evaluation_split_alone() -> None:
    data = load_run_data(_config())
    assert (data.evaluation.name, data.evaluation.split) == ("fewrel", "val_wiki")
    assert data.support_pool is None and data.train is None and data.leakage is None
    assert data.episode_data.instances == dict(data.evaluation.by_id)
    assert data.episode_data.relations == dict(data.evaluation.relations)
    assert data.episode_data.protocol == "episodic" and data.episode_data.dataset_name == "fewrel"


def test_kshot_draws_supports_from_train_and_queries_from_test() -> None:
    config = _config(dataset="semeval2010/test", protocol="kshot", k_values=[8], seeds=[1], limit=30)
    data = load_run_data(config)
    assert (data.support_pool.split, data.evaluation.split) == ("train", "test")
    assert data.episode_data.instances.keys() == data.support_pool.by_id.keys() | data.evaluation.by_id.keys()
    (kshot,) = build_episode_sets(config, data)
    assert kshot.setting == "K=8" and kshot.requested == 1 and kshot.limited
    episode = kshot.episodes[0]
    assert len(episode.queries) == 30 and set(episode.queries) <= data.evaluation.by_id.keys()
    assert {i for group in episode.support for i in group} <= data.support_pool.by_id.keys()
    assert {len(group) for group in episode.support} <= set(range(9))  # at most K per label


def test_dataset_slug_names_registered_splits_and_hashes_files_loaded_by_path() -> None:
    assert dataset_slug(load_dataset("fewrel/val_wiki", resolve_data_dir(None))) == "fewrel_val_wiki"
    by_path = load_dataset(str(FIXTURES / "fewrel_named.json"))
    slug = dataset_slug(by_path)
    assert slug.endswith("-" + by_path.source_sha256[:8]) and "/" not in slug and "." not in slug.split("-")[0]
