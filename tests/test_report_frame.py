"""Results as a pandas table and `fsre-bench export`: one row per result file x seed."""

from __future__ import annotations

import importlib.util
import json

import pandas as pd
import pytest

import fsre_bench
from fsre_bench.cli.main import main
from tests.support.report_fixtures import FEWREL_5_1, FIXTURE_RESULTS, result_file


def _result_files(root):
    return sorted((root / "runs").rglob("n*_seeds*.json"))


def test_one_row_per_result_and_seed_with_ci_flags_and_provenance():
    frame = fsre_bench.load_results(FIXTURE_RESULTS)
    results = [json.loads(path.read_text()) for path in _result_files(FIXTURE_RESULTS)]
    assert len(frame) == sum(len(r["per_seed"]) for r in results)
    proto = frame[frame["result_file"] == str(result_file(FEWREL_5_1 / "proto"))]
    stored = json.loads(result_file(FEWREL_5_1 / "proto").read_text())
    assert list(proto["seed"]) == stored["seeds"]
    assert (proto["ci_low"] == stored["metrics"]["accuracy"]["ci95"][0]).all()
    assert list(proto["seed_accuracy"]) == [row["metrics"]["accuracy"] for row in stored["per_seed"]]
    # v1 files predate per-seed provenance: mixed (unknown), never guessed clean
    assert frame["mixed"].all() and frame["harness_version"].isna().all()
    assert str(frame["parameters"].dtype) == "Int64"


def test_a_fresh_run_has_its_seed_provenance_in_the_table(tmp_path):
    argv = ["run", "--methods", "random", "--dataset", "fewrel/val_wiki", "--episodes", "8", "--seeds", "0,1",
            "--n-bootstrap", "100", "--output-dir", str(tmp_path)]
    assert main(argv) == 0
    frame = fsre_bench.load_results(tmp_path)
    assert len(frame) == 2 and not frame["mixed"].any() and frame["harness_version"].notna().all()
    assert frame["seed_states"].nunique() == 1 and frame["side_information"].eq("none").all()


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_writes_the_same_table(tmp_path, fmt, capsys):
    out = tmp_path / f"results.{fmt}"
    assert main(["export", "--results", str(FIXTURE_RESULTS), "--format", fmt, "--out", str(out)]) == 0
    written = pd.read_csv(out) if fmt == "csv" else pd.read_json(out, orient="records")
    frame = fsre_bench.load_results(FIXTURE_RESULTS)
    assert list(written.columns) == list(frame.columns) and len(written) == len(frame)
    assert list(written["seed"]) == list(frame["seed"])
    assert "wrote" in capsys.readouterr().err


def test_export_parquet_needs_pyarrow_and_a_file(tmp_path, capsys):
    out = tmp_path / "results.parquet"
    code = main(["export", "--results", str(FIXTURE_RESULTS), "--format", "parquet", "--out", str(out)])
    if importlib.util.find_spec("pyarrow") is None:
        assert code == 2 and "needs pyarrow" in capsys.readouterr().err and not out.exists()
    else:
        assert code == 0 and len(pd.read_parquet(out)) == len(fsre_bench.load_results(FIXTURE_RESULTS))
    assert main(["export", "--results", str(FIXTURE_RESULTS), "--format", "parquet"]) == 2


def test_export_of_a_missing_directory_is_one_line(tmp_path, capsys):
    assert main(["export", "--results", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no such results directory" in err[0]
