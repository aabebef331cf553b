"""ResultFile, the one result class: its fields are the schema's, it is valid by construction, and it round-trips."""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.results import RESULT_SCHEMA_VERSION, ResultFile
from fsre_bench.results.model import FIELDS, REQUIRED, STAMPED
from fsre_bench.results.schema import RESULT_JSON_SCHEMA
from tests.support.report_fixtures import result_file, run_random

COMMITTED = Path(__file__).resolve().parents[1] / "results" / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "random"


def _committed() -> ResultFile:
    return ResultFile.load(result_file(COMMITTED))


def _fields_of(row: ResultFile) -> dict:
    """A committed result's fields as ``build`` takes them (what ``build`` stamps itself left out)."""
    return {key: value for key, value in row.result.items() if key not in STAMPED}


def test_build_takes_exactly_the_schemas_fields_and_requires_exactly_its_required_ones():
    parameters = inspect.signature(ResultFile.build).parameters
    keywords = {name: p for name, p in parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert list(keywords) == [field for field in FIELDS if field not in STAMPED]  # same fields, file order
    required = {name for name, p in keywords.items() if p.default is inspect.Parameter.empty}
    assert required == set(RESULT_JSON_SCHEMA["required"]) - set(STAMPED) == REQUIRED - set(STAMPED)
    assert all(keywords[name].default is None for name in set(keywords) - required)


def test_a_committed_result_rebuilt_from_its_fields_writes_the_same_bytes_but_its_stamp(tmp_path):
    row = _committed()
    rebuilt = ResultFile.build(tmp_path / "r.json", **_fields_of(row))
    assert rebuilt.result["schema_version"] == RESULT_SCHEMA_VERSION and rebuilt.result["run_id"] != row.result["run_id"]
    rebuilt.result.update(run_id=row.result["run_id"], created_utc=row.result["created_utc"])
    rebuilt.write()
    assert rebuilt.path.read_bytes() == row.path.read_bytes()
    assert ResultFile.load(rebuilt.path) == ResultFile(rebuilt.path, row.result)


def test_optional_fields_left_none_stay_out_of_the_file_and_a_required_null_stays_in(tmp_path):
    fields = _fields_of(_committed())
    for optional in ("provenance", "answers", "flags", "request_failures"):
        fields.pop(optional)
    built = ResultFile.build(tmp_path / "r.json", **fields, origin=None)
    assert set(built.result) == REQUIRED and built.result["llm"] is None
    assert list(built.result) == [field for field in FIELDS if field in REQUIRED]  # file order is the schema's
    assert built.request_failures is None


def test_no_result_file_holds_an_invalid_result(tmp_path):
    fields = _fields_of(_committed())
    with pytest.raises(DataError, match=r"r\.json: invalid result file at protocol: 'fewshot' is not one of"):
        ResultFile.build(tmp_path / "r.json", **{**fields, "protocol": "fewshot"})
    with pytest.raises(DataError, match=r"invalid result file at request_failures: 'share' is a required property"):
        ResultFile.build(tmp_path / "r.json", **{**fields, "request_failures": {"failed_queries": 0, "queries": 1,
                                                                                "first_error": None}})
    with pytest.raises(TypeError, match="unexpected keyword argument 'failures'"):  # a field the schema lacks
        ResultFile.build(tmp_path / "r.json", **fields, failures=0)
    built = ResultFile.build(tmp_path / "r.json", **fields)
    built.result["seeds"] = []  # the dict can still be changed by hand: write validates again before it writes
    with pytest.raises(DataError, match=r"invalid result file at seeds"):
        built.write()
    assert not (tmp_path / "r.json").exists()


def test_load_names_the_file_for_what_is_not_a_result(tmp_path):
    (tmp_path / "bad.json").write_text("{oops")
    with pytest.raises(DataError, match=r"bad\.json: not valid JSON \(line 1, column 2"):
        ResultFile.load(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"kind": "something"}))
    with pytest.raises(DataError, match=r"other\.json: not an fsre-bench result file"):
        ResultFile.load(tmp_path / "other.json")
    with pytest.raises(DataError, match="cannot read result file"):
        ResultFile.load(tmp_path / "missing.json")


def test_failed_requests_are_read_through_the_class(tmp_path):
    row = _committed()
    assert row.failed_queries == 0 and row.request_failures == {"failed_queries": 0, "first_error": None,
                                                                "queries": 15000, "share": 0.0}
    fields = _fields_of(row)
    fields["per_seed"] = [{**seed_row, "failures": 2} for seed_row in fields["per_seed"]]
    assert ResultFile.build(tmp_path / "r.json", **fields).failed_queries == 2 * len(fields["per_seed"])


def test_a_run_sets_request_failures_when_it_builds_and_never_patches_the_result(tmp_path, monkeypatch):
    """The runner writes what ``build`` was given: nothing is added between building and writing."""
    from fsre_bench.runner import runner

    built: list[dict] = []
    real_build = ResultFile.build.__func__

    def build(cls, path, **fields):
        result = real_build(cls, path, **fields)
        built.append(json.loads(json.dumps(result.result)))  # a copy, as built
        return result

    monkeypatch.setattr(runner.ResultFile, "build", classmethod(build))
    run_random(tmp_path, "--episodes", "3", "--n-bootstrap", "100")
    written = json.loads(result_file(tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "random").read_text())
    assert built == [written]
    assert written["request_failures"] == {"failed_queries": 0, "queries": 15, "share": 0.0, "first_error": None}
