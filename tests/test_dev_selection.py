"""Model selection on held-out training relations: the split, the episodes, the checkpoints (real SemEval train)."""

from __future__ import annotations

import pytest

from baselines.dev_selection import SelectionSpace, checkpoint_steps, dev_episodes, split_dev_relations
from fsre_bench.data import load_dataset
from fsre_bench.errors import ConfigError


@pytest.fixture(scope="module")
def semeval_train(data_dir):
    return load_dataset("semeval2010/train", data_dir)


def test_dev_relations_are_a_seeded_subset_of_the_training_relations(semeval_train) -> None:
    fit, dev = split_dev_relations(semeval_train, 4, seed=0)
    assert len(dev.positive_relations) == 4
    assert len(fit.positive_relations) == len(semeval_train.positive_relations) - 4
    assert not set(dev.relations) & set(fit.relations)
    assert set(fit.positive_relations) | set(dev.positive_relations) == set(semeval_train.positive_relations)
    assert len(fit) + len(dev) == len(semeval_train)  # Other stays with the fit part
    again, _ = split_dev_relations(semeval_train, 4, seed=0)
    _, other_dev = split_dev_relations(semeval_train, 4, seed=1)
    assert again.relations.keys() == fit.relations.keys() and other_dev.relations.keys() != dev.relations.keys()
    assert fit.source_sha256 != dev.source_sha256 != semeval_train.source_sha256  # distinct cache keys


def test_dev_episodes_stay_inside_the_dev_relations(semeval_train) -> None:
    _, dev = split_dev_relations(semeval_train, 4, seed=0)
    episodes = dev_episodes(dev, n_way=5, k_shot=1, n_episodes=20, seed=0)
    assert len(episodes) == 20 and all(ep.n_way == 4 for ep in episodes)  # N capped at the 4 dev relations
    ids = {i for ep in episodes for i in (*[s for g in ep.support for s in g], *ep.queries)}
    assert ids <= set(dev.by_id)


def test_too_many_dev_relations_and_bad_options_fail_with_one_line(semeval_train) -> None:
    with pytest.raises(ConfigError, match="at least 2 must stay"):
        split_dev_relations(semeval_train, 16, seed=0)
    with pytest.raises(ConfigError, match="unknown option 'select_bogus'"):
        SelectionSpace.from_options({"select_bogus": 1})
    space = SelectionSpace.from_options({"select_lrs": [3e-5, 5e-5], "select_dev_relations": 5})
    assert space.lrs == (3e-5, 5e-5) and space.dev_relations == 5


def test_checkpoints_are_fractions_of_the_step_budget() -> None:
    assert checkpoint_steps(SelectionSpace(), 300) == (100, 200, 300)
    assert checkpoint_steps(SelectionSpace(checkpoints=(0.001, 1.0)), 10) == (1, 10)
