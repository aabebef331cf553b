"""``fsre-bench ablate``: the reference and its chosen ablations, and the table it writes (the committed one, again)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fsre_bench.cli.ablate_cmd import variant_names, write_table
from fsre_bench.errors import ConfigError
from tests.support.report_fixtures import result_file

RESULTS = Path(__file__).resolve().parents[1] / "results"
ABLATIONS = ("tkre-no-mslm", "tkre-no-scl", "tkre-no-synth", "tkre-no-knowledge")


def test_the_reference_comes_first_then_the_chosen_ablations_in_their_declared_order() -> None:
    assert variant_names("tkre", None) == ["tkre", *ABLATIONS]
    assert variant_names("tkre", "tkre-no-synth, tkre-no-mslm") == ["tkre", "tkre-no-mslm", "tkre-no-synth"]
    with pytest.raises(ConfigError, match=r"--variants: 'tkre-no-llm' is not an ablation of tkre; known: tkre-no-mslm"):
        variant_names("tkre", "tkre-no-llm")


def test_the_table_of_the_committed_runs_is_the_committed_table(tmp_path: Path, capsys) -> None:
    runs = tmp_path / "runs" / "fewrel_val_wiki" / "episodic"
    shutil.copytree(RESULTS / "runs" / "fewrel_val_wiki" / "episodic", runs)
    paths = [result_file(runs / "5-1" / name) for name in ("tkre", *ABLATIONS)]
    target = write_table(paths, "tkre", None, 10_000, tmp_path)
    committed = RESULTS / "ablations" / "tkre-fewrel_val_wiki-episodic-5-1.md"
    assert target == tmp_path / "ablations" / committed.name
    assert target.read_text() == committed.read_text()
    written, kept = (json.loads(p.with_suffix(".json").read_text()) for p in (target, committed))
    for row in (*written["rows"], *kept["rows"]):
        row["path"] = Path(row["path"]).relative_to(Path(row["path"]).parents[5]).as_posix()  # runs/... either way
    assert written == kept
    assert capsys.readouterr().out.strip().endswith(f"ablation table: {target}")
