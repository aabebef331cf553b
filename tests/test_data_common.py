"""The parsers' shared pieces: strict JSON, one-line record errors, mention checks, readable relation names."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.data.common import (
    mention_from_positions,
    mention_from_span,
    parse_json_text,
    read_json_sidecar,
    readable_relation_name,
    require_fields,
    require_tokens,
)
from fsre_bench.errors import DataError


def test_json_with_a_key_twice_is_refused_not_last_wins() -> None:
    assert parse_json_text('{"a": {"b": 1}, "c": [1]}', "f.json") == {"a": {"b": 1}, "c": [1]}
    with pytest.raises(DataError, match=r"^f\.json: key 'P19' appears twice in one JSON object; JSON keeps only"):
        parse_json_text('{"P19": [], "P20": [], "P19": []}', "f.json")
    with pytest.raises(DataError, match=r"^f\.jsonl: line 7: key 'x' appears twice"):
        parse_json_text('{"r": {"x": 1, "x": 2}}', "f.jsonl", line=7)  # nested objects too


def test_malformed_or_non_utf8_json_is_one_line_with_its_place() -> None:
    with pytest.raises(DataError, match=r"^f\.json: malformed JSON at line 2 column 1: Expecting value$"):
        parse_json_text('{"a":\n}', "f.json")
    with pytest.raises(DataError, match=r"^f\.jsonl: malformed JSON at line 9 column 2"):
        parse_json_text("[,", "f.jsonl", line=9)
    with pytest.raises(DataError, match=r"^f\.json: not UTF-8 text \(byte 2\)"):
        parse_json_text(b'["\xff"]', "f.json")


def test_a_sidecar_is_read_or_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "rel2id.json").write_text('{"r": 0}')
    assert read_json_sidecar(tmp_path / "rel2id.json", "rel2id") == {"r": 0}
    with pytest.raises(DataError, match=r"gone\.json: cannot read rel2id file \(No such file or directory\)$"):
        read_json_sidecar(tmp_path / "gone.json", "rel2id")


def test_records_need_their_fields_and_tokens() -> None:
    require_fields({"tokens": [], "h": 1}, ("tokens", "h"), "f.json", "record 3")
    with pytest.raises(DataError, match=r"^f\.json: record 3: missing field 't'$"):
        require_fields({"tokens": [], "h": 1}, ("tokens", "h", "t"), "f.json", "record 3")
    with pytest.raises(DataError, match=r"^f\.json: record 3: expected a JSON object, got list$"):
        require_fields([], ("tokens",), "f.json", "record 3")
    assert require_tokens(["a", 1], "f.json", "r", "tokens") == ("a", "1")
    for bad in ([], "a b", None):
        with pytest.raises(DataError, match=r"field 'token' must be a non-empty list of tokens"):
            require_tokens(bad, "f.json", "r", "token")


def test_mentions_are_sorted_unique_positions_inside_the_sentence() -> None:
    assert mention_from_positions([3, 1, 3], 4, "f", "r", "head") == (1, 3)
    assert mention_from_span(1, 3, 4, "f", "r", "tail") == (1, 2)
    for positions, problem in (([], "must be a non-empty list of token positions"), ([True], "position True is not an integer"),
                               ([1.0], "position 1.0 is not an integer"), ([4], "position 4 out of range for 4 tokens"),
                               ([-1], "position -1 out of range")):
        with pytest.raises(DataError, match=f"^f: r: head mention {problem}"):
            mention_from_positions(positions, 4, "f", "r", "head")
    for start, end, problem in ((0, "2", r"\[0, '2'\) must be integers"), (2, 2, r"\[2, 2\) out of range"),
                                (3, 5, r"\[3, 5\) out of range for 4 tokens"), (-1, 1, r"\[-1, 1\) out of range")):
        with pytest.raises(DataError, match=f"^f: r: tail span {problem}"):
            mention_from_span(start, end, 4, "f", "r", "tail")


@pytest.mark.parametrize(("key", "name"), [
    ("per:city_of_birth", "person: city of birth"),
    ("org:top_members/employees", "organization: top members or employees"),
    ("place_of_birth", "place of birth"),
    ("founded  by", "founded by"),
    ("loc:x", "loc:x"),  # only TACRED's per/org prefixes are spelled out
    ("___", "___"),  # nothing readable left: the key itself
])
def test_readable_relation_names(key: str, name: str) -> None:
    assert readable_relation_name(key) == name
