"""FS-TACRED partitions from a TACRED split: the relation split file read strictly, other relations merged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.data.common import dataset_from_groups
from fsre_bench.data.fs_tacred import load_relation_split, relabel_partition
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Relation, RelationInstance
from tests.support.fs_tacred_fixtures import SPLIT_FILE


def test_the_shipped_split_has_25_6_10_relations_without_no_relation() -> None:
    split = load_relation_split(SPLIT_FILE)
    assert [len(split[part]) for part in ("train", "dev", "test")] == [25, 6, 10]
    assert all("no_relation" not in relations for relations in split.values())


@pytest.mark.parametrize(("content", "message"), [
    ([], "must be an object with train/dev/test lists"),
    ({"train": ["a"], "dev": ["b"]}, "must be an object with train/dev/test lists"),
    ({"train": ["a"], "dev": ["b"], "test": [3]}, "must be an object with train/dev/test lists"),
    ({"train": ["a", "b"], "dev": ["c"], "test": ["b"]}, "relation 'b' is in both train and test"),
])
def test_a_bad_split_file_is_one_line(tmp_path: Path, content, message) -> None:
    path = tmp_path / "split.json"
    path.write_text(json.dumps(content))
    with pytest.raises(DataError, match=message):
        load_relation_split(path)
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"train": ["a", "no_relation"], "dev": ["b"], "test": ["c"]}))
    assert load_relation_split(ok) == {"train": ("a",), "dev": ("b",), "test": ("c",)}


def _tacred(labels: list[str]) -> Dataset:
    groups: dict[str, list[RelationInstance]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(RelationInstance(id=f"fs-tacred/test#{index}", tokens=("a", "b"),
                                                             head=((0,),), tail=((1,),), label=label,
                                                             head_type="PERSON", tail_type="CITY"))
    return dataset_from_groups("fs-tacred", "test", {label: Relation(label, label) for label in groups}, groups,
                               sha256="a" * 64, path="test.json", negative_label="no_relation",
                               entity_types=("CITY", "PERSON"))


def test_relations_outside_the_partition_are_merged_into_no_relation_in_file_order() -> None:
    base = _tacred(["per:title", "org:founded_by", "no_relation", "per:age", "per:title", "org:founded_by"])
    part = relabel_partition(base, ("per:title", "per:age"), split_sha256="b" * 64)
    assert list(part.relations) == ["per:title", "no_relation", "per:age"]
    assert [i.id for i in part.instances["no_relation"]] == ["fs-tacred/test#1", "fs-tacred/test#2", "fs-tacred/test#5"]
    assert {i.label for i in part.instances["no_relation"]} == {"no_relation"}
    assert part.relations["per:title"].name == "person: title" and part.negative_label == "no_relation"
    assert part.entity_types == base.entity_types and len(part) == len(base)  # nothing dropped
    assert part.source_sha256 not in (base.source_sha256, relabel_partition(base, ("per:title",), "c" * 64).source_sha256)
    report = part.patch_report
    assert (report["records"], report["kept"], report["merged"], report["merged_relations"], report["dropped"]) == \
        (6, 3, 2, 1, 0)
    assert report["summary"] == ("fs-tacred/test: 6 TACRED test records; 2 of the split's 2 test relations kept "
                                 "(3 records), 2 records of 1 other relations merged into no_relation (now 3), 0 dropped")


def test_a_partition_relation_the_split_lacks_is_a_warning_in_the_report() -> None:
    part = relabel_partition(_tacred(["per:title", "no_relation"]), ("per:title", "per:origin"), "b" * 64)
    assert part.patch_report["summary"].endswith("; WARNING: no record of per:origin")
    assert "per:origin" not in part.relations
