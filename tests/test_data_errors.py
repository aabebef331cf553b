"""Every bad input is one DataError line that names the file and the record."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "data"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))


def _fewrel_record(head: list[list[int]] | None = None) -> dict[str, Any]:
    return {"tokens": ["a", "b", "c"], "h": ["a", "Q1", head or [[0]]], "t": ["c", "Q2", [[2]]]}


def _opennre_record(**overrides: Any) -> dict[str, Any]:
    record = {"token": ["a", "b", "c"], "h": {"name": "a", "pos": [0, 1]}, "t": {"name": "c", "pos": [2, 3]}}
    return {**record, "relation": "r", **overrides}


def _tacred_records() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "tacred_small.json").read_text())


def _error(path: Path, **kw: Any) -> str:
    with pytest.raises(DataError) as info:
        load_dataset(str(path), **kw)
    message = str(info.value)
    assert "\n" not in message, message
    assert str(path) in message, message
    return message


def _write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value))
    return path


def _write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def test_malformed_fewrel_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"P1": [\n  {"tokens": ["a", "b"],\n   "h": ["a", "Q1", [[0]]] "t": []}\n]}')
    message = _error(path)
    assert "malformed JSON at line 3 column" in message


def test_malformed_jsonl_names_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    good = json.dumps(_opennre_record())
    path.write_text(f"{good}\n{good}\n{good[:-5]}\n")
    assert "malformed JSON at line 3" in _error(path)


def test_malformed_tacred_json(tmp_path: Path) -> None:
    path = tmp_path / "tacred.json"
    path.write_text(json.dumps(_tacred_records())[:-10])
    assert "malformed JSON at line 1 column" in _error(path)


def test_fewrel_span_out_of_range(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "f.json", {"P1": [_fewrel_record(), _fewrel_record([[0], [1, 7]])]})
    message = _error(path)
    assert "relation 'P1' record 1 (instance #1)" in message
    assert "position 7 out of range for 3 tokens" in message


def test_opennre_span_out_of_range(tmp_path: Path) -> None:
    bad = _opennre_record(t={"name": "c", "pos": [2, 5]})
    path = _write_jsonl(tmp_path / "o.txt", [_opennre_record(), bad])
    message = _error(path)
    assert "line 2 (instance #1)" in message and "[2, 5) out of range for 3 tokens" in message


def test_tacred_span_out_of_range(tmp_path: Path) -> None:
    records = _tacred_records()
    records[4]["obj_end"] = 40
    message = _error(_write_json(tmp_path / "t.json", records))
    assert "record 4 (id 'e779865fb97262ce4da3')" in message and "out of range for 9 tokens" in message


def test_empty_relation(tmp_path: Path) -> None:
    path = _write_json(tmp_path / "f.json", {"P1": [_fewrel_record()], "P2": []})
    message = _error(path)
    assert "relation 'P2'" in message and "empty relation" in message


@pytest.mark.parametrize("field", ["tokens", "h", "t"])
def test_fewrel_missing_field(tmp_path: Path, field: str) -> None:
    record = _fewrel_record()
    del record[field]
    path = _write_json(tmp_path / "f.json", {"P1": [_fewrel_record(), _fewrel_record(), record]})
    message = _error(path)
    assert f"relation 'P1' record 2 (instance #2): missing field {field!r}" in message


@pytest.mark.parametrize("field", ["token", "h", "t", "relation"])
def test_opennre_missing_field(tmp_path: Path, field: str) -> None:
    record = _opennre_record()
    del record[field]
    path = _write_jsonl(tmp_path / "o.jsonl", [_opennre_record(), record])
    assert f"line 2 (instance #1): missing field {field!r}" in _error(path, format="opennre")


@pytest.mark.parametrize("field", ["subj_type", "obj_start", "relation"])
def test_tacred_missing_field(tmp_path: Path, field: str) -> None:
    records = _tacred_records()
    del records[2][field]
    message = _error(_write_json(tmp_path / "t.json", records))
    assert f"record 2 (id 'e7798ae9c0adbcdc81e7'): missing field {field!r}" in message


def test_bad_mention_shapes(tmp_path: Path) -> None:
    record = _fewrel_record()
    record["h"] = ["a", "Q1", []]
    assert "no mentions" in _error(_write_json(tmp_path / "a.json", {"P1": [record]}))
    record["h"] = ["a", "Q1", [["0"]]]
    assert "is not an integer" in _error(_write_json(tmp_path / "b.json", {"P1": [record]}))
    record = _fewrel_record()
    record["tokens"] = "a b c"
    assert "non-empty list of tokens" in _error(_write_json(tmp_path / "c.json", {"P1": [record]}))


def test_label_missing_from_rel2id(tmp_path: Path) -> None:
    (tmp_path / "rel2id.json").write_text(json.dumps({"Other": 0, "r": 1}))
    path = _write_jsonl(tmp_path / "o.txt", [_opennre_record(), _opennre_record(relation="q")])
    assert "line 2 (instance #1): relation 'q' is not listed in rel2id.json" in _error(path)


def test_not_utf8_and_empty_files(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"P1": [{"tokens": ["caf\xe9"]}]}')
    assert "not UTF-8" in _error(path)
    empty = tmp_path / "empty.json"
    empty.write_text("  \n")
    assert "empty file" in _error(empty)
