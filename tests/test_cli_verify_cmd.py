"""``fsre-bench verify``: every result file against its logs (and its episode files), one line per mismatch."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fsre_bench.cli.main import main
from tests.support.report_fixtures import FEWREL_5_1, FIXTURE_RESULTS, copy_results, result_file


def test_a_clean_tree_matches_and_an_edited_result_is_one_mismatch_line(tmp_path: Path, capsys) -> None:
    results = copy_results(tmp_path / "results")
    assert main(["verify", "--results", str(results), "--logs-only"]) == 0
    total = len(list((results / "runs").rglob("n*_seeds*.json")))
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"{total} of {total} result files match their logs (")
    path = result_file(results / FEWREL_5_1.relative_to(FIXTURE_RESULTS) / "random")
    result = json.loads(path.read_text())
    result["metrics"]["accuracy"]["mean"] += 0.01
    path.write_text(json.dumps(result, indent=2))
    assert main(["verify", "--results", str(results), "--logs-only"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("MISMATCH ") for line in lines) == 1 and str(path) in lines[0]
    assert lines[-1].startswith(f"{total - 1} of {total} result files match their logs")


def test_studies_are_verified_too(tmp_path: Path, capsys) -> None:
    results = tmp_path / "results"
    (results / "runs").mkdir(parents=True)
    study = results / "studies" / "one" / "runs"
    study.parent.mkdir(parents=True)
    shutil.copytree(FEWREL_5_1 / "random", study / "random")
    assert main(["verify", "--results", str(results), "--logs-only"]) == 0
    assert "1 of 1 result files match their logs" in capsys.readouterr().out
