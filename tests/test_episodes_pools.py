"""What the samplers draw from (``make_pool``): candidates, small relations, file order, and the one-line refusals."""

from __future__ import annotations

import pytest

from fsre_bench.data.common import dataset_from_groups
from fsre_bench.episodes.pools import instance_index, make_pool
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import Dataset, Relation, RelationInstance
from tests.support.cli_helpers import fails_with_one_line

# Label per file position: "a" 4 instances, "b" 2, "Other" (the negative label) 3, "c" 3; "empty" is listed, unused.
LABELS = ["a", "b", "Other", "a", "c", "a", "Other", "b", "c", "a", "Other", "c"]


def _dataset() -> Dataset:
    groups: dict[str, list[RelationInstance]] = {label: [] for label in ("a", "b", "Other", "c", "empty")}
    for index, label in enumerate(LABELS):
        groups[label].append(RelationInstance(id=f"toy/dev#{index}", tokens=("x", "y"), head=((0,),), tail=((1,),),
                                              label=label))
    relations = {label: Relation(label, label) for label in groups}
    # Groups in another order than the file's, so file order can only come from the ids.
    ordered = {label: groups[label] for label in ("c", "Other", "b", "a", "empty")}
    return dataset_from_groups("toy", "dev", relations, ordered, sha256="0" * 64, path="toy.json",
                               negative_label="Other")


def test_candidates_are_the_positive_relations_with_enough_instances() -> None:
    pool = make_pool(_dataset(), EpisodeSetting(2, 1, n_query=1), "episodic")
    assert sorted(pool.candidates) == ["a", "b", "c"]  # never "Other", never the empty relation
    assert "empty" not in pool.ids and "empty" not in pool.nonempty
    assert pool.ids["a"] == ("toy/dev#0", "toy/dev#3", "toy/dev#5", "toy/dev#9")
    assert pool.ids["Other"] == ("toy/dev#2", "toy/dev#6", "toy/dev#10")
    assert pool.skipped == []


def test_all_ids_and_labels_are_in_file_order() -> None:
    pool = make_pool(_dataset(), EpisodeSetting(2, 1, n_query=1), "episodic")
    assert pool.all_ids == [f"toy/dev#{i}" for i in range(len(LABELS))]
    assert pool.all_labels == LABELS
    assert instance_index("fewrel/val_wiki#1234") == 1234
    assert instance_index("a#b/c#7") == 7  # the last '#' holds the index


def test_episodic_needs_k_plus_q_and_natural_nota_only_k() -> None:
    dataset = _dataset()
    setting = EpisodeSetting(2, 2, n_query=1)  # episodic needs 3: "b" (2 instances) is too small
    with pytest.raises(DataError, match=r"relation 'b' of toy/dev has 2 instances but K\+Q=2\+1=3 are needed"):
        make_pool(dataset, setting, "episodic")
    assert sorted(make_pool(dataset, setting, "natural-nota").candidates) == ["a", "b", "c"]  # K=2 is enough
    with pytest.raises(DataError, match=r"\(natural-nota\): relation 'b' .* has 2 instances but K=3=3"):
        make_pool(dataset, EpisodeSetting(2, 3, n_query=1), "natural-nota")


def test_small_relations_are_skipped_when_asked_and_then_n_must_still_fit() -> None:
    dataset = _dataset()
    pool = make_pool(dataset, EpisodeSetting(2, 2, n_query=1), "episodic", small_relations="skip")
    assert (sorted(pool.candidates), pool.skipped) == (["a", "c"], ["b"])
    assert "b" in pool.ids  # left out of the ways, still indexed
    with pytest.raises(DataError, match=r"N=3 but toy/dev has only 2 relations with at least 3 instances"):
        make_pool(dataset, EpisodeSetting(3, 2, n_query=1), "episodic", small_relations="skip")
    with pytest.raises(ConfigError, match=r"small_relations must be one of \('error', 'skip'\), got 'drop'"):
        make_pool(dataset, EpisodeSetting(2, 1, n_query=1), "episodic", small_relations="drop")


def test_n_above_the_relations_is_refused() -> None:
    with pytest.raises(DataError, match=r"setting 4-1-q1: N=4 but toy/dev has only 3 relations"):
        make_pool(_dataset(), EpisodeSetting(4, 1, n_query=1), "episodic")


def test_k_above_the_data_is_refused_naming_the_relation(capsys, tmp_path):
    fails_with_one_line(capsys, ["run", "--methods", "random", "--protocol", "kshot", "--dataset", "semeval2010",
                                 "--k", "100000", "--seeds", "13", "--output-dir", str(tmp_path / "out")],
                        "K=100000", "semeval2010/train", "relation 'Other'", "1146")


def test_episodic_k_above_a_relation_is_refused_naming_it(capsys, tmp_path):
    fails_with_one_line(capsys, ["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--settings", "5-5000",
                                 "--output-dir", str(tmp_path / "out")], "relation", "instances", "K+Q")

