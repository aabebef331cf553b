"""``fsre-bench leaderboard / report``: which result files an ablation reads, and what the leaderboard command says."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.cli.main import build_parser, main
from fsre_bench.cli.report_cmd import ablation_paths
from fsre_bench.errors import ConfigError, DataError
from tests.support.report_fixtures import copy_results

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _args(*argv: str):
    return build_parser().parse_args(["report", "ablation", "--results", str(RESULTS), *argv])


def test_an_ablation_reads_the_reference_and_its_ablations_only() -> None:
    paths = ablation_paths(_args("--dataset", "fewrel/val_wiki", "--setting", "5-1"))
    methods = sorted(path.parent.name for path in paths)
    assert methods == ["tkre", "tkre-no-knowledge", "tkre-no-mslm", "tkre-no-scl", "tkre-no-synth"]  # no -desc, no icl
    chosen = ablation_paths(_args("--dataset", "fewrel_val_wiki", "--setting", "5-1", "--methods", "proto,random"))
    assert sorted(path.parent.name for path in chosen) == ["proto", "random"]


def test_a_task_or_methods_with_no_results_are_one_line() -> None:
    with pytest.raises(DataError, match=r"no result files for dataset fewrel/val_wiki setting 7-7$"):
        ablation_paths(_args("--dataset", "fewrel/val_wiki", "--setting", "7-7"))
    with pytest.raises(ConfigError, match=r"none of --methods gpt-9 ran on that task; found "):
        ablation_paths(_args("--dataset", "fewrel/val_wiki", "--setting", "5-1", "--methods", "gpt-9"))


def test_the_leaderboard_says_regenerated_then_unchanged(tmp_path: Path, capsys) -> None:
    results = copy_results(tmp_path / "results")
    out = tmp_path / "LEADERBOARD.md"
    assert main(["leaderboard", "--results", str(results), "--out", str(out), "--no-literature"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"{out}: regenerated")
    assert main(["leaderboard", "--results", str(results), "--out", str(out), "--no-literature"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"{out}: unchanged")
    (tmp_path / "site").write_text("in the way")
    assert main(["leaderboard", "--results", str(results), "--site", str(tmp_path / "site")]) == 2
    err = capsys.readouterr().err
    assert f"--site {tmp_path / 'site'}: exists and is not a directory" in err and len(err.strip().splitlines()) == 1
