"""Disjoint train/dev/test relation splits for FS-TACRED-style runs, the negative class dealt over all three."""

from __future__ import annotations

from fsre_bench.data import load_dataset
from fsre_bench.episodes import build_episodes, parse_setting, split_relations
from tests.support.shared_data import SHARED_DATA as SHARED


def test_relation_split_for_fs_tacred_style_runs() -> None:
    train = load_dataset("semeval2010/train", data_dir=SHARED)
    parts = split_relations(train, seed=0)
    assert list(parts) == ["train", "dev", "test"]
    positives = [set(p.positive_relations) for p in parts.values()]
    assert [len(p) for p in positives] == [10, 3, 4]  # 25/6/10 scaled to the 17 relations SemEval train has
    assert not (positives[0] & positives[1] or positives[0] & positives[2] or positives[1] & positives[2])
    assert sum(len(p.instances["Other"]) for p in parts.values()) == len(train.instances["Other"])
    assert split_relations(train, seed=0)["test"].positive_relations == parts["test"].positive_relations
    assert split_relations(train, seed=1)["test"].positive_relations != parts["test"].positive_relations
    episodes = list(build_episodes(
        parts["test"], protocol="natural-nota", setting=parse_setting("4-1"), seed=1, n_episodes=50
    ).episodes)
    assert all(set(e.relations) == positives[2] for e in episodes)
