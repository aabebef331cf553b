"""The one predictions-log reader: header skipped, records as written, and one-line errors for what is not a log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.results.predictions import (
    LOG_FORMAT,
    parse_predictions_log,
    read_predictions_log,
    read_predictions_log_bytes,
)
from tests.support.report_fixtures import FEWREL_5_1

HEADER = json.dumps({"format": LOG_FORMAT, "seed": 0}) + "\n"


def test_a_committed_log_reads_as_its_episode_records() -> None:
    (log,) = sorted((FEWREL_5_1 / "proto").glob("seed0_*.predictions.jsonl"))
    raw = read_predictions_log_bytes(log)
    assert raw == log.read_bytes()
    records = read_predictions_log(log)
    assert json.loads(raw.split(b"\n", 1)[0])["format"] == LOG_FORMAT  # the header, not a record
    assert len(records) == 30 and records[0]["episode"] == "0-00000"
    assert records[0]["gold"] == ["P921", "P2094", "P412", "P463", "P410"]
    assert all(len(r["pred"]) == len(r["gold"]) == 5 for r in records)


def test_a_reply_holding_a_line_separator_stays_one_record(tmp_path: Path) -> None:
    record = {"episode": "0-00000", "gold": ["a"], "pred": ["a\u2028b"]}
    raw = (HEADER + json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
    assert parse_predictions_log(raw, tmp_path / "x.jsonl") == [record]


def test_a_log_with_only_its_header_has_no_records(tmp_path: Path) -> None:
    assert parse_predictions_log(HEADER.encode(), tmp_path / "x.jsonl") == []


def test_a_torn_last_line_is_not_a_record(tmp_path: Path) -> None:
    """Records end in a newline: an unterminated tail (a write cut short) is dropped, not half-parsed."""
    raw = (HEADER + '{"episode": "0-00000", "gold": [], "pred": []}\n{"episode": "0-0').encode()
    assert [r["episode"] for r in parse_predictions_log(raw, tmp_path / "x.jsonl")] == ["0-00000"]


def test_a_line_that_is_not_json_names_its_line(tmp_path: Path) -> None:
    raw = (HEADER + '{"episode": "0-00000"}\nnot json\n').encode()
    with pytest.raises(DataError, match=r"x\.jsonl: line 3 is not JSON .*; not a predictions log"):
        parse_predictions_log(raw, tmp_path / "x.jsonl")


def test_bytes_that_are_not_utf8_are_one_line(tmp_path: Path) -> None:
    raw = HEADER.encode() + b'{"pred": ["\xff"]}\n'
    with pytest.raises(DataError, match=rf"not a UTF-8 predictions log \(byte {len(HEADER) + 11}: invalid start byte\)"):
        parse_predictions_log(raw, tmp_path / "x.jsonl")


def test_a_missing_log_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"gone\.jsonl: cannot read the predictions log \(No such file or directory\)"):
        read_predictions_log(tmp_path / "gone.jsonl")
