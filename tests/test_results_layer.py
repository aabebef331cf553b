"""The result-file layer: v2 records what the method read and its label; v1 files keep theirs; one log reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.results import RESULT_SCHEMA_VERSION, ResultFile, read_predictions_log, validate_result
from tests.support.report_fixtures import result_file, run_random

# The committed results as schema v1 wrote them (they are v2 since issue 11 re-assembled them)
V1_LABELS = Path(__file__).resolve().parent / "fixtures" / "results" / "v1-labels"


def test_a_run_writes_v2_with_the_options_its_method_read_and_its_label(tmp_path: Path) -> None:
    # knowledge is TKRE's option: random does not read it, so it is neither recorded as random's nor in its label.
    run_random(tmp_path, "--episodes", "3", "--n-bootstrap", "100", "--knowledge", "schema")
    path = result_file(tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "random")
    row = ResultFile.load(path)
    assert row.result["schema_version"] == RESULT_SCHEMA_VERSION == 2
    assert row.result["config"]["method_options"] == {"knowledge": "schema"}
    assert (row.options_read, row.method_label, row.ablation_of) == ({}, "random", None)
    broken = {**row.result, "method": {k: v for k, v in row.result["method"].items() if k != "label"}}
    with pytest.raises(DataError, match=r"invalid result file at method: 'label' is a required property"):
        validate_result(broken, str(path))


def test_v1_files_keep_their_labels_without_importing_a_method() -> None:
    setting = V1_LABELS
    proto = ResultFile.load(setting / "proto" / "n1000_seeds0_fc2e9b1384.json")
    assert proto.result["schema_version"] == 1 and proto.result["config"]["method_options"] == {"knowledge": "schema"}
    assert (proto.options_read, proto.method_label) == ({}, "proto")
    tkre = ResultFile.load(setting / "tkre-no-scl" / "n1000_seeds0-1-2_5f4519b8a9.json")
    assert tkre.options_read == {"knowledge": "schema"} and tkre.method_label == "tkre-no-scl [knowledge=schema]"
    assert tkre.ablation_of == "tkre"


def test_the_predictions_log_reader_names_the_file_and_line(tmp_path: Path) -> None:
    log = tmp_path / "seed0.predictions.jsonl"
    log.write_text(json.dumps({"format": "fsre-bench.predictions/1"}) + "\n" + '{"episode": "e0", "pred": ["A"]}\n{oops\n')
    with pytest.raises(DataError, match=r"seed0\.predictions\.jsonl: line 3 is not JSON"):
        read_predictions_log(log)
    with pytest.raises(DataError, match="cannot read the predictions log"):
        read_predictions_log(tmp_path / "missing.predictions.jsonl")
