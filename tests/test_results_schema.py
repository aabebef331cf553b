"""Result files are validated on write and on read, per schema version: every committed file of each version
loads, and each way a file can be wrong is one DataError naming the file and where.

Only the layer's public names (``fsre_bench.results``) are used, so these tests hold across the result-class
merge (issue 28 item 3)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.results import SUPPORTED_VERSIONS, ResultFile, validate_result

ROOT = Path(__file__).resolve().parents[1]
V1_FIXTURES = sorted((ROOT / "tests" / "fixtures" / "results").rglob("n*_seeds*.json"))
COMMITTED = sorted(path for path in (ROOT / "results").rglob("runs/**/n*_seeds*.json"))


def _fixture(version: int) -> Path:
    """A committed result file of schema ``version``."""
    for path in (V1_FIXTURES if version == 1 else COMMITTED):
        if json.loads(path.read_text(encoding="utf-8"))["schema_version"] == version:
            return path
    raise AssertionError(f"no committed result file of schema version {version}")


def test_every_committed_result_file_of_every_version_loads() -> None:
    assert len(V1_FIXTURES) >= 10 and len(COMMITTED) >= 20
    versions = {ResultFile.load(path).result["schema_version"] for path in (*V1_FIXTURES, *COMMITTED)}
    assert versions == set(SUPPORTED_VERSIONS)


def test_a_v1_file_relabelled_v2_lacks_what_v2_added() -> None:
    result = ResultFile.load(_fixture(1)).result
    with pytest.raises(DataError, match="not an fsre-bench result file"):
        validate_result([result], "x.json")
    with pytest.raises(DataError, match=r"x\.json: invalid result file at method: 'options' is a required property"):
        validate_result({**result, "schema_version": 2}, "x.json")


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r.update(kind="something.else"), r'x\.json: not an fsre-bench result file \(no "kind"'),
    (lambda r: r.update(schema_version=99), r"x\.json: result schema version 99 is not supported .*reads 1, 2"),
    (lambda r: r["dataset"].update(sha256="abc"), r"x\.json: invalid result file at dataset/sha256: 'abc' does not"),
    (lambda r: r.pop("metrics"), r"x\.json: invalid result file at top level: 'metrics' is a required property"),
    (lambda r: r["method"].update(type="oracle"), r"x\.json: invalid result file at method/type: 'oracle' is not one"),
    (lambda r: r["per_seed"][0].pop("predictions_sha256"), r"invalid result file at per_seed/0: 'predictions_sha256'"),
])
def test_each_way_a_result_can_be_wrong_is_one_line_naming_where(change, message) -> None:
    result = copy.deepcopy(ResultFile.load(_fixture(2)).result)
    change(result)
    with pytest.raises(DataError, match=message):
        validate_result(result, "x.json")


def test_write_validates_first_and_writes_what_load_reads_back(tmp_path: Path) -> None:
    result = ResultFile.load(_fixture(2)).result
    path = tmp_path / "out" / "result.json"
    path.parent.mkdir()
    with pytest.raises(DataError, match="invalid result file at seeds"):
        ResultFile(path, {**result, "seeds": []}).write()
    assert not path.exists() and list(path.parent.iterdir()) == []  # no half-written or temp file is left
    ResultFile(path, result).write()
    assert ResultFile.load(path).result == result and list(path.parent.iterdir()) == [path]


def test_unreadable_files_are_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": ', encoding="utf-8")
    with pytest.raises(DataError, match=r"broken\.json: not valid JSON \(line 1, column 10"):
        ResultFile.load(broken)
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"kind": "caf\xe9"}')
    with pytest.raises(DataError, match=r"latin\.json: not a UTF-8 result file"):
        ResultFile.load(latin)
    with pytest.raises(DataError, match=r"missing\.json"):
        ResultFile.load(tmp_path / "missing.json")
