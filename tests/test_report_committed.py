"""The committed leaderboard is exactly what `fsre-bench leaderboard` makes of the committed result files."""

from __future__ import annotations

import shutil
from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_committed_leaderboard_regenerates_byte_identically(tmp_path):
    committed = (RESULTS / "LEADERBOARD.md").read_bytes()
    copy = tmp_path / "results"
    # The whole tree, so relative links to results/plots resolve as they do in the repository.
    shutil.copytree(RESULTS, copy)
    assert main(["leaderboard", "--results", str(copy)]) == 0
    assert (copy / "LEADERBOARD.md").read_bytes() == committed


def test_committed_results_are_complete_unlimited_runs_with_plots_linked():
    rows = collect_rows(RESULTS)
    assert rows, "results/runs holds no result files"
    assert not [row for row in rows if row.result["episodes"]["limited"]]
    leaderboard = (RESULTS / "LEADERBOARD.md").read_text(encoding="utf-8")
    linked = {line.split("](", 1)[1].split(")", 1)[0] for line in leaderboard.splitlines() if "](plots/" in line}
    assert linked, "the leaderboard links no plot"
    for link in linked:
        assert (RESULTS / link).stat().st_size > 10_000, f"{link} is linked but missing or empty"
