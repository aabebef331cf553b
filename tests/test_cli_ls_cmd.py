"""``fsre-bench ls``: datasets with protocols, presence and the exact place of licensed files; names never cut."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import dataset_specs
from fsre_bench.methods.registry import available_methods
from tests.support.tacred_fixtures import write_tacred

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("columns", ["60", "200"])
def test_ls_datasets_names_protocols_presence_and_where_licensed_files_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, columns: str
) -> None:
    monkeypatch.setenv("COLUMNS", columns)
    data = tmp_path / "data"
    write_tacred(data, ("test",))
    assert main(["ls", "datasets", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    rows = {line.split("│")[1].strip(): line for line in out.splitlines() if line.startswith("│ ") and
            line.split("│")[1].strip()}
    assert set(rows) == set(dataset_specs())  # every name whole, on one line, even 60 columns wide
    assert rows["tacred/test"].split("│")[3].strip() == "yes" and rows["tacred/train"].split("│")[3].strip() == "no"
    if columns == "200":  # wide enough for whole cells; narrower tables fold them, never the names
        assert "episodic (FewRel 2.0 DA eval)" in rows["fewrel/val_pubmed"]
        assert "kshot, natural-nota (FS-TACRED)" in rows["tacrev/test"]
        assert "no (needs tacrev/test_patch)" in rows["tacrev/test"]
        assert "[name, description]" in rows["fewrel/pid2name"]  # brackets are text, not rich markup
    lines = out.splitlines()
    for split, state in (("train", "missing"), ("test", "present")):
        place = f"  tacred/{split}: your JSON {split} split at {data / 'tacred' / f'{split}.json'} ({state})"
        assert place in lines  # the whole path on one line, never folded
    assert any("LDC2018T24" in line and "licensed" in line for line in lines)


def test_ls_never_truncates_names_on_an_80_column_terminal(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "80"}
    for what, names in (("datasets", dataset_specs()), ("methods", available_methods())):
        shown = subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", "ls", what], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120)
        assert shown.returncode == 0, shown.stderr
        cells = {cell.strip() for line in shown.stdout.splitlines() for cell in line.split("│")}
        missing = [name for name in names if name not in cells]
        assert not missing, (missing, shown.stdout)
