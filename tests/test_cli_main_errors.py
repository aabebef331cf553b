"""Bad input through the real CLI: one line naming the file/record/setting, exit code 2, no traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from tests.support.cli_helpers import fails_with_one_line as _fails_with_one_line


def _run(*args: str, out: Path) -> list[str]:
    return ["run", "--episodes", "5", "--output-dir", str(out), *args]


def test_unknown_method_suggests_the_close_name(capsys, tmp_path):
    _fails_with_one_line(capsys, _run("--methods", "protoo", out=tmp_path), "unknown method 'protoo'", "proto")


def test_unknown_dataset_suggests_the_close_name(capsys, tmp_path):
    _fails_with_one_line(capsys, _run("--methods", "random", "--dataset", "fewrel/val_wik", out=tmp_path),
                         "fewrel/val_wik", "fewrel/val_wiki")


def test_k_plus_q_larger_than_a_relation(capsys, tmp_path):
    _fails_with_one_line(capsys, _run("--methods", "random", "--settings", "5-700", out=tmp_path), "700")


def test_bad_setting_string(capsys, tmp_path):
    _fails_with_one_line(capsys, _run("--methods", "random", "--settings", "five-one", out=tmp_path), "five-one")


def test_malformed_json_dataset_file(capsys, tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"P1": [{"tokens": ["a", "b"], "h": ["a", "Q1", [[0]]]')
    _fails_with_one_line(capsys, _run("--methods", "random", "--dataset", str(bad), out=tmp_path), "broken.json")


def _fewrel_file(path: Path, records: dict) -> Path:
    path.write_text(json.dumps(records))
    return path


def _record(tokens: list[str], head: list[int], tail: list[int]) -> dict:
    return {"tokens": tokens, "h": ["h", "Q1", [head]], "t": ["t", "Q2", [tail]]}


def test_record_with_span_out_of_range_names_the_record(capsys, tmp_path):
    records = {f"rel{r}": [_record(["a", "b", "c"], [0], [2]) for _ in range(3)] for r in range(6)}
    records["rel3"][1] = _record(["a", "b", "c"], [0], [7])
    path = _fewrel_file(tmp_path / "spans.json", records)
    _fails_with_one_line(capsys, _run("--methods", "random", "--dataset", str(path), out=tmp_path),
                         "spans.json", "rel3")


def test_empty_relation_is_named(capsys, tmp_path):
    records = {f"rel{r}": [_record(["a", "b", "c"], [0], [2]) for _ in range(3)] for r in range(6)}
    records["rel5"] = []
    path = _fewrel_file(tmp_path / "empty.json", records)
    _fails_with_one_line(capsys, _run("--methods", "random", "--dataset", str(path), out=tmp_path), "empty.json", "rel5")


@pytest.fixture
def episode_file(tmp_path) -> Path:
    path = tmp_path / "eps.jsonl"
    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "5", "--out", str(path)]) == 0
    return path


def test_episode_file_of_another_dataset(capsys, tmp_path, episode_file):
    _fails_with_one_line(capsys, _run("--methods", "random", "--episodes-file", str(episode_file), out=tmp_path),
                         str(episode_file))


def test_episode_file_whose_sha256_does_not_match(capsys, tmp_path, episode_file):
    _fails_with_one_line(capsys, _run("--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes-file",
                                      str(episode_file), "--episodes-sha256", "0" * 64, out=tmp_path),
                         str(episode_file), "sha256")


def test_edited_episode_file_with_unknown_ids(capsys, tmp_path, episode_file):
    lines = episode_file.read_text().splitlines()
    lines[2] = lines[2].replace('"queries":["fewrel/val_semeval#', '"queries":["fewrel/val_semeval#999999', 1)
    assert "#999999" in lines[2]
    episode_file.write_text("\n".join(lines) + "\n")
    _fails_with_one_line(capsys, _run("--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes-file",
                                      str(episode_file), out=tmp_path), str(episode_file), "line 3")


def test_nota_without_calibration_source_fails_in_one_line(capsys, tmp_path):
    # val_semeval has no default training relations (FewRel's val_wiki would use FewRel's own)
    _fails_with_one_line(capsys, _run("--methods", "proto", "--na-rate", "0.5", "--dataset", "fewrel/val_semeval",
                                      out=tmp_path), "--train")


def test_run_without_methods(capsys, tmp_path):
    _fails_with_one_line(capsys, ["run", "--output-dir", str(tmp_path)], "--methods")


def test_missing_tacred_says_how_to_get_it(capsys, tmp_path):
    _fails_with_one_line(capsys, ["run", "--methods", "random", "--protocol", "kshot", "--dataset", "tacred",
                                  "--data-dir", str(tmp_path), "--output-dir", str(tmp_path)], "LDC")
