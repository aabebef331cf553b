"""``fsre-bench data verify``: what is present and intact in a data directory; a corrupt file fails the command."""

from __future__ import annotations

import shutil
from pathlib import Path

from fsre_bench.cli.main import main
from tests.support.shared_data import SHARED_DATA


def _status(out: str, name: str) -> str:
    row = next(line for line in out.splitlines() if f" {name} " in line)
    return next(word for word in ("ok", "missing", "corrupt", "unverified", "derived") if f" {word} " in row)


def test_the_shared_data_verifies_and_a_corrupted_copy_fails(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    assert main(["data", "verify", "--data-dir", str(SHARED_DATA)]) == 0
    out = capsys.readouterr().out
    assert _status(out, "fewrel/val_wiki") == "ok" and _status(out, "tacred/train") == "missing"
    data = tmp_path / "data"
    (data / "semeval2010").mkdir(parents=True)
    shutil.copy(SHARED_DATA / "semeval2010" / "rel2id.json", data / "semeval2010" / "rel2id.json")
    (data / "semeval2010" / "test.txt").write_text("not the test split\n")
    assert main(["data", "verify", "--data-dir", str(data)]) == 2
    out = capsys.readouterr().out
    assert _status(out, "semeval2010/test") == "corrupt" and _status(out, "semeval2010/rel2id") == "ok"
    assert _status(out, "fewrel/val_wiki") == "missing"
