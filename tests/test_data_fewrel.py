"""FewRel-format files keyed by plain names, several mentions per entity, and pid2name sidecars."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset

FIXTURES = Path(__file__).parent / "fixtures" / "data"
pytestmark = pytest.mark.usefixtures("empty_data_env")


def test_fewrel_plain_names_and_multiple_mentions() -> None:
    ds = load_dataset(str(FIXTURES / "fewrel_named.json"))
    assert list(ds.relations) == ["place_of_birth", "founded by", "Cause-Effect(e1,e2)"]
    assert ds.relations["place_of_birth"].name == "place of birth"
    assert ds.relations["place_of_birth"].description == ""
    assert ds.relations["founded by"].name == "founded by"
    assert ds.relations["Cause-Effect(e1,e2)"].name.startswith("cause-effect")
    galileo = ds.by_id["fewrel/fewrel_named#1"]
    assert galileo.head == ((4, 5), (7,))  # unsorted positions sorted; both mentions kept
    assert galileo.head_text == "Galileo Galilei"
    smith = ds.by_id["fewrel/fewrel_named#3"]
    assert smith.tail == ((5, 7),)  # non-contiguous mention
    assert smith.tail_span == (5, 8) and smith.tail_text == "John Smith"
    assert ds.by_id["fewrel/fewrel_named#5"].label == "Cause-Effect(e1,e2)"


def test_pid2name_beside_file_is_used(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "fewrel_named.json").read_text())
    (tmp_path / "custom.json").write_text(json.dumps({"P19": data["place_of_birth"]}))
    (tmp_path / "pid2name.json").write_text(
        json.dumps({"P19": ["place of birth", "most specific known birth location"]})
    )
    ds = load_dataset(str(tmp_path / "custom.json"))
    assert ds.relations["P19"].name == "place of birth"
    assert ds.relations["P19"].description == "most specific known birth location"
    other = tmp_path / "other_pid2name.json"
    other.write_text(json.dumps({"P20": ["place of death", "No description defined"]}))
    bare = load_dataset(str(tmp_path / "custom.json"), pid2name=other)
    assert bare.relations["P19"].name == "P19"  # a pid2name without the key: the key itself

