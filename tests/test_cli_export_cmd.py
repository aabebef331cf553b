"""``fsre-bench export``: one row per result and seed as csv or json, and the interop formats' refusals."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.report.frame import load_results
from tests.support.report_fixtures import FEWREL_5_1


def test_csv_and_json_hold_the_same_rows_as_the_frame(tmp_path: Path, capsys) -> None:
    frame = load_results(FEWREL_5_1)
    assert main(["export", "--results", str(FEWREL_5_1), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    seeds = sum(len(json.loads(path.read_text())["seeds"]) for path in FEWREL_5_1.rglob("n*_seeds*.json"))
    assert len(rows) == len(frame) == seeds  # one row per result and seed
    assert list(rows[0]) == list(frame.columns)
    out = tmp_path / "rows.json"
    assert main(["export", "--results", str(FEWREL_5_1), "--format", "json", "--out", str(out)]) == 0
    assert capsys.readouterr().err.strip() == f"wrote {len(frame)} rows to {out}"
    records = json.loads(out.read_text())
    assert [r["seed"] for r in records] == [int(s) for s in frame["seed"]]


def test_interop_formats_refuse_what_they_cannot_write(tmp_path: Path, capsys) -> None:
    (tmp_path / "file").write_text("x")
    assert main(["export", "--results", str(FEWREL_5_1), "--format", "lm-eval", "--out", str(tmp_path / "file")]) == 2
    assert "--format lm-eval writes one JSON per result: give --out DIRECTORY" in capsys.readouterr().err
    assert main(["export", "--results", str(FEWREL_5_1), "--format", "parquet"]) == 2
    assert "--format parquet writes a binary file: give --out FILE.parquet" in capsys.readouterr().err
    assert main(["export", "--results", str(FEWREL_5_1), "--format", "lm-eval", "--out", str(tmp_path / "lm")]) == 0
    written = sorted((tmp_path / "lm").glob("results_*.json"))
    assert len(written) == sum(1 for _ in FEWREL_5_1.rglob("n*_seeds*.json"))
    assert capsys.readouterr().err.strip() == f"wrote {len(written)} lm-eval results file(s) to {tmp_path / 'lm'}"
