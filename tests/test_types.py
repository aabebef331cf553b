"""The canonical types: spans from mentions, the texts they cover, datasets' views, episodes checked on creation."""

from __future__ import annotations

import pytest

from fsre_bench.data.common import dataset_from_groups
from fsre_bench.types import Episode, EpisodeData, Relation, RelationInstance

SPLIT_HEAD = RelationInstance(id="d/s#0", tokens=("New", "X", "York", "is", "in", "the", "US"), head=((0, 2), (1,)),
                              tail=((6,),), label="in")


def test_spans_cover_the_first_mention_and_texts_read_its_tokens() -> None:
    assert SPLIT_HEAD.head_span == (0, 3) and SPLIT_HEAD.tail_span == (6, 7)  # a split mention spans its gap
    assert SPLIT_HEAD.head_text == "New York" and SPLIT_HEAD.tail_text == "US"  # ...its text is its own tokens
    assert SPLIT_HEAD.text == "New X York is in the US"


def test_a_dataset_indexes_ids_in_file_order_and_knows_its_positive_relations() -> None:
    other = RelationInstance(id="d/s#1", tokens=("a", "b"), head=((0,),), tail=((1,),), label="Other")
    dataset = dataset_from_groups("d", "s", {"Other": Relation("Other", "other"), "in": Relation("in", "in")},
                                  {"Other": [other], "in": [SPLIT_HEAD]}, sha256="0" * 64, path="d.json",
                                  negative_label="Other")
    assert len(dataset) == 2 and dataset.by_id["d/s#0"] is SPLIT_HEAD
    assert [i.id for i in dataset.all_instances()] == ["d/s#1", "d/s#0"]  # grouped by label, in the dataset's label order
    assert dataset.positive_relations == ["in"]
    data = EpisodeData(instances=dataset.by_id, relations=dataset.relations)
    assert data.get(["d/s#0", "d/s#1"]) == [SPLIT_HEAD, other]


def test_an_episode_must_have_a_support_set_per_relation_and_a_label_per_query() -> None:
    episode = Episode("0-00000", ("a", "b"), (("1",), ("2",)), ("3", "4", "5"), ("a", "b", "a"))
    assert episode.n_way == 2
    with pytest.raises(ValueError, match=r"episode e: 2 relations but 1 support sets"):
        Episode("e", ("a", "b"), (("1",),), ("3",), ("a",))
    with pytest.raises(ValueError, match=r"episode e: 2 queries but 1 labels"):
        Episode("e", ("a",), (("1",),), ("3", "4"), ("a",))
