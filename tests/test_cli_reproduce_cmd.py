"""``fsre-bench reproduce``: a seed rerun from its result file, the verdict on one line, exit 0 only if identical."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from fsre_bench.cli.main import main
from tests.support.cli_helpers import valid_run_argv


def test_a_fresh_random_result_reproduces_identically(tmp_path: Path, capsys) -> None:
    assert main(valid_run_argv(tmp_path / "out", "--n-bootstrap", "100", "--device", "cpu")) == 0
    (result,) = (tmp_path / "out").rglob("n5_seeds0_*.json")
    capsys.readouterr()
    assert main(["reproduce", str(result), "--output-dir", str(tmp_path / "rerun")]) == 0
    (line,) = [line for line in capsys.readouterr().out.splitlines() if not line.startswith("note: ")]
    recorded = json.loads(result.read_text())["per_seed"][0]["predictions_sha256"]
    assert line.startswith("identical (seed 0, portable numerics, ") and line.endswith(f"sha256 {recorded}")


def test_an_edited_log_is_different_with_its_first_difference_and_exit_1(tmp_path: Path, capsys) -> None:
    assert main(valid_run_argv(tmp_path / "out", "--n-bootstrap", "100", "--device", "cpu")) == 0
    (result,) = (tmp_path / "out").rglob("n5_seeds0_*.json")
    (log,) = (tmp_path / "out").rglob("*.predictions.jsonl")
    kept = tmp_path / "kept"
    shutil.copytree(result.parent, kept)
    lines = (kept / log.name).read_text().splitlines(keepends=True)
    record = json.loads(lines[1])
    record["pred"] = list(reversed(record["pred"]))
    lines[1] = json.dumps(record) + "\n"
    (kept / log.name).write_text("".join(lines))  # the recorded log and its sha256 now disagree with a rerun
    edited = json.loads((kept / result.name).read_text())
    edited["per_seed"][0]["predictions_sha256"] = hashlib.sha256((kept / log.name).read_bytes()).hexdigest()
    (kept / result.name).write_text(json.dumps(edited))
    capsys.readouterr()
    assert main(["reproduce", str(kept / result.name), "--output-dir", str(tmp_path / "rerun")]) == 1
    out = capsys.readouterr().out
    assert "different (seed 0, portable numerics, " in out and f"first difference: episode 0 ({record['episode']})" \
        in out
