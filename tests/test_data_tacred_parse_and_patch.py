"""TACRED files, a format we cannot ship, on a small fixture: spans, types, PTB escapes, TACREV / Re-TACRED patches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.errors import ConfigError, DataError

FIXTURES = Path(__file__).parent / "fixtures" / "data"
TACRED = FIXTURES / "tacred_small.json"
pytestmark = pytest.mark.usefixtures("empty_data_env")


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
