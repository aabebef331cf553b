"""Predictions from outside the harness read strictly: the header's sha256, one form, every query once, known labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.external.predictions import read_external_predictions
from fsre_bench.types import NOTA, Episode

SHA = "ab" * 32
EPISODES = [Episode("0-00000", ("r1", "r2"), (("a",), ("b",)), ("q1", "q2"), ("r1", NOTA)),
            Episode("0-00001", ("r2", "r3"), (("c",), ("d",)), ("q3",), ("r3",))]


def _file(tmp_path: Path, *lines: object, header: object = None) -> Path:
    path = tmp_path / "answers.jsonl"
    first = {"episode_file_sha256": SHA} if header is None else header
    path.write_text("\n".join(json.dumps(line) for line in (first, *lines)) + "\n")
    return path


def test_per_episode_and_per_query_answers_read_the_same(tmp_path: Path) -> None:
    per_episode = _file(tmp_path, {"episode_id": "0-00001", "predictions": ["r2"]},
                        {"episode_id": "0-00000", "predictions": ["r2", NOTA]})
    assert read_external_predictions(per_episode, EPISODES, SHA) == [("r2", NOTA), ("r2",)]  # in the file's order
    per_query = _file(tmp_path, {"episode_id": "0-00000", "query_index": 1, "label": NOTA},
                      {"episode_id": "0-00001", "query_index": 0, "label": "r2", "score": 0.9},
                      {"episode_id": "0-00000", "query_index": 0, "label": "r2"})
    assert read_external_predictions(per_query, EPISODES, SHA) == [("r2", NOTA), ("r2",)]


def test_the_header_must_name_the_episode_file(tmp_path: Path) -> None:
    answer = {"episode_id": "0-00000", "predictions": ["r1", "r1"]}
    with pytest.raises(DataError, match=r"line 1: answers episode file sha256 cdcdcdcdcdcd, but the episode file given "
                                        r"has sha256 abababababab"):
        read_external_predictions(_file(tmp_path, answer, header={"episode_file_sha256": "cd" * 32}), EPISODES, SHA)
    with pytest.raises(DataError, match=r"line 1: the first line must be \{\"episode_file_sha256\""):
        read_external_predictions(_file(tmp_path, answer, header=answer), EPISODES, SHA)
    (tmp_path / "empty.jsonl").write_text("\n" + json.dumps(answer))
    with pytest.raises(DataError, match=r"empty\.jsonl: line 1: empty"):
        read_external_predictions(tmp_path / "empty.jsonl", EPISODES, SHA)


@pytest.mark.parametrize(("lines", "message"), [
    ([{"episode": "0-00000"}], r"line 2: expected \{\"episode_id\", \"predictions\": \[\.\.\.\]\}"),
    ([{"episode_id": "0-00000", "predictions": ["r1", "r1"]}, {"episode_id": "0-00001", "query_index": 0, "label": "r2"}],
     r"line 3: a per-query line in a file of per-episode lines; use one form"),
    ([{"episode_id": "9-00000", "predictions": []}], r"line 2: episode '9-00000' is not in the episode file"),
    ([{"episode_id": "0-00000", "predictions": ["r1"]}], r"line 2: episode 0-00000 has 2 queries but 1 predictions"),
    ([{"episode_id": "0-00000", "predictions": "r1"}], r"line 2: episode 0-00000 has 2 queries but str predictions"),
    ([{"episode_id": "0-00000", "query_index": 2, "label": "r1"}], r"line 2: query_index 2 is not in 0\.\.1"),
    ([{"episode_id": "0-00000", "query_index": True, "label": "r1"}], r"line 2: query_index True is not in"),
    ([{"episode_id": "0-00000", "predictions": ["r1", "r3"]}],
     r"line 2: label 'r3' \(episode 0-00000, query 1\) is none of the episode's candidates \(r1, r2\) nor '__nota__'"),
    ([{"episode_id": "0-00000", "query_index": 0, "label": "r1"}, {"episode_id": "0-00000", "query_index": 0,
                                                                   "label": "r2"}],
     r"line 3: episode 0-00000 query 0 answered again \(first on line 2\)"),
    ([{"episode_id": "0-00000", "predictions": ["r1", "r1"]}, {"episode_id": "0-00000", "predictions": ["r1", "r1"]}],
     r"line 3: episode 0-00000 answered again \(first on line 2\)"),
    ([{"episode_id": "0-00000", "predictions": ["r1", "r1"]}],
     r"episode 0-00001 has no predictions \(1 of 2 episodes are missing\)"),
    ([{"episode_id": "0-00000", "query_index": 0, "label": "r1"}, {"episode_id": "0-00001", "query_index": 0,
                                                                   "label": "r2"}],
     r"episode 0-00000 query 1 has no prediction$"),
])
def test_a_bad_answer_is_one_line_naming_its_line(tmp_path: Path, lines, message) -> None:
    with pytest.raises(DataError, match=message):
        read_external_predictions(_file(tmp_path, *lines), EPISODES, SHA)


def test_blank_lines_are_skipped_and_unreadable_files_named(tmp_path: Path) -> None:
    path = tmp_path / "answers.jsonl"
    path.write_text(json.dumps({"episode_file_sha256": SHA}) + "\n\n" + json.dumps(
        {"episode_id": "0-00000", "predictions": ["r1", "r1"]}) + "\n  \n" + json.dumps(
        {"episode_id": "0-00001", "predictions": ["r3"]}) + "\n")
    assert read_external_predictions(path, EPISODES, SHA) == [("r1", "r1"), ("r3",)]
    with pytest.raises(DataError, match=r"gone\.jsonl: cannot read the predictions file"):
        read_external_predictions(tmp_path / "gone.jsonl", EPISODES, SHA)
    path.write_bytes(b'{"episode_file_sha256": "\xff"}\n')
    with pytest.raises(DataError, match=r"answers\.jsonl: not UTF-8 text \(byte 25\)"):
        read_external_predictions(path, EPISODES, SHA)
