"""Formats we cannot ship (TACRED, TACREV / Re-TACRED patches) and FewRel files keyed by plain names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.data import detect_format, load_dataset
from fsre_bench.errors import ConfigError, DataError

FIXTURES = Path(__file__).parent / "fixtures" / "data"
TACRED = FIXTURES / "tacred_small.json"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))


def test_tacred_fixture_spans_types_labels() -> None:
    ds = load_dataset(str(TACRED))
    assert (ds.name, ds.split) == ("tacred", "tacred_small")
    assert ds.negative_label == "no_relation"
    assert list(ds.relations) == ["per:city_of_birth", "no_relation", "org:founded_by", "per:title"]
    assert ds.relations["per:city_of_birth"].name == "person: city of birth"
    assert ds.entity_types == ("CITY", "ORGANIZATION", "PERSON", "TITLE")
    first = ds.by_id["tacred/tacred_small#0"]
    # inclusive TACRED ends -> [start, end) spans
    assert first.head == ((0, 1),) and first.head_span == (0, 2) and first.head_text == "Alice Smith"
    assert first.tail == ((5,),) and first.tail_text == "Paris"
    assert (first.head_type, first.tail_type) == ("PERSON", "CITY")
    assert len(ds.instances["no_relation"]) == 2 and len(ds.instances["org:founded_by"]) == 2


def test_tacred_ptb_escapes_undone() -> None:
    ds = load_dataset(str(TACRED))
    assert ds.by_id["tacred/tacred_small#0"].text == "Alice Smith ( born in Paris ) joined the firm ."
    assert (
        ds.by_id["tacred/tacred_small#1"].tokens[0] == '"'
        and ds.by_id["tacred/tacred_small#1"].tokens[5] == '"'
    )
    assert ds.by_id["tacred/tacred_small#2"].tokens[2:8:5] == ("[", "]")
    assert ds.by_id["tacred/tacred_small#3"].tokens[1:4] == ("{", "Beta", "}")
    assert not any(
        tok.startswith("-") and tok.endswith("-") for inst in ds.all_instances() for tok in inst.tokens
    )


def test_tacrev_list_patch_relabels_and_keeps_the_rest() -> None:
    plain = load_dataset(str(TACRED))
    patched = load_dataset(str(TACRED), patch=FIXTURES / "tacrev_patch.json")
    assert patched.name == "tacred+tacrev_patch"
    assert patched.source_sha256 != plain.source_sha256
    assert len(patched) == len(plain) == 6
    assert patched.by_id["tacred+tacrev_patch/tacred_small#1"].label == "org:top_members/employees"
    assert patched.by_id["tacred+tacrev_patch/tacred_small#5"].label == "no_relation"
    assert patched.by_id["tacred+tacrev_patch/tacred_small#0"].label == "per:city_of_birth"
    named = load_dataset(str(TACRED), patch=FIXTURES / "tacrev_patch.json", name="tacrev")
    assert named.name == "tacrev" and "tacrev/tacred_small#1" in named.by_id


def test_retacred_dict_patch_drops_unlisted() -> None:
    ds = load_dataset(
        str(TACRED), patch=FIXTURES / "retacred_id2label.json", patch_unlisted="drop", name="retacred"
    )
    assert len(ds) == 5
    assert "retacred/tacred_small#3" not in ds.by_id  # unlisted: dropped, ids keep file positions
    assert ds.by_id["retacred/tacred_small#4"].label == "per:title"
    kept = load_dataset(str(TACRED), patch=FIXTURES / "retacred_id2label.json")
    assert len(kept) == 6


def test_patch_errors(tmp_path: Path) -> None:
    stray = tmp_path / "stray_patch.json"
    stray.write_text(json.dumps({"not-an-id": "no_relation"}))
    with pytest.raises(DataError, match=r"not in .*tacred_small\.json"):
        load_dataset(str(TACRED), patch=stray)
    with pytest.raises(DataError, match="patch_unlisted"):
        load_dataset(str(TACRED), patch=FIXTURES / "tacrev_patch.json", patch_unlisted="maybe")
    with pytest.raises(ConfigError, match="TACRED files only"):
        load_dataset(str(FIXTURES / "fewrel_named.json"), patch=FIXTURES / "tacrev_patch.json")


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


def test_name_and_split_override() -> None:
    ds = load_dataset(str(FIXTURES / "fewrel_named.json"), name="mine", split="test")
    assert next(ds.all_instances()).id == "mine/test#0"


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(TACRED.read_bytes(), str(TACRED))[0] == "tacred"
    assert detect_format((FIXTURES / "fewrel_named.json").read_bytes(), "x.json")[0] == "fewrel"
    jsonl = b'{"token": ["a", "b"], "h": {"pos": [0, 1]}, "t": {"pos": [1, 2]}, "relation": "r"}\n' * 2
    assert detect_format(jsonl, "x.txt")[0] == "opennre"
    assert detect_format(jsonl, "x.json")[0] == "opennre"  # JSONL content under a .json name
    assert detect_format(jsonl[: jsonl.index(b"\n")], "x.json")[0] == "opennre"  # one-line JSONL
    with pytest.raises(DataError, match="unrecognised dataset format"):
        detect_format(b'{"a": 1}', "x.json")


def test_opennre_without_rel2id_orders_by_first_appearance(tmp_path: Path) -> None:
    path = tmp_path / "mini.jsonl"
    lines = [
        {
            "token": ["a", "b", "c"],
            "h": {"name": "a", "pos": [0, 1]},
            "t": {"name": "c", "pos": [2, 3]},
            "relation": "r2",
        },
        {
            "token": ["a", "b", "c"],
            "h": {"name": "a", "pos": [0, 1]},
            "t": {"name": "b", "pos": [1, 2]},
            "relation": "Other",
        },
        {
            "token": ["a", "b", "c"],
            "h": {"name": "b", "pos": [1, 2]},
            "t": {"name": "c", "pos": [2, 3]},
            "relation": "r2",
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    ds = load_dataset(str(path))
    assert (ds.name, ds.split) == ("opennre", "mini")
    assert list(ds.relations) == ["r2", "Other"] and ds.negative_label == "Other"
    assert [i.id for i in ds.instances["r2"]] == ["opennre/mini#0", "opennre/mini#2"]
