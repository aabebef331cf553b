"""The leaderboard's order rule (one declared column; rows without it after, unranked) and rank intervals."""

from __future__ import annotations

from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import build_tables
from fsre_bench.report.ranking import PairComparison, holm, rank_intervals, rank_table
from tests.support.report_fixtures import FIXTURE_RESULTS, copy_results, table_section

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _rows(section: str) -> list[tuple[str, str]]:
    """(method, rank) of each table row, in order."""
    cells = [line.split(" | ") for line in section.splitlines()[4:] if line.startswith("| ")]
    return [(c[0].removeprefix("| "), c[1]) for c in cells]


def test_a_partial_row_with_a_higher_partial_mean_is_listed_after_the_ranked_rows(tmp_path):
    results = copy_results(tmp_path / "results")
    for path in (results / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "proto").glob("*"):
        path.unlink()  # proto keeps only 5-5 (78.00), far above every other row's mean over its settings
    (fewrel,) = [t for t in build_tables(collect_rows(results)) if t.dataset == "fewrel/val_wiki"]
    partial_means = {label: sum(r.summary()["mean"] for r in row.values()) / len(row)
                     for label, row in fewrel.cells.items()}
    assert max(partial_means, key=partial_means.get) == "proto"  # a mean over whatever a row has would rank it 1st
    assert main(["leaderboard", "--results", str(results), "--no-literature"]) == 0
    markdown = (results / "LEADERBOARD.md").read_text()
    section = table_section(markdown, "### fewrel/val_wiki")
    order = _rows(section)
    assert [method for method, _ in order] == ["random", "icl", "icl [batch_queries=true]", "proto"]
    assert order[-1] == ("proto", "–")
    assert "Ranked by 5-1, the headline setting" in markdown and "rows without it are listed after" in markdown


def test_every_row_with_every_setting_ranks_by_the_average(tmp_path):
    results = copy_results(tmp_path / "results")
    for path in (results / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "icl").glob("*"):
        path.unlink()
    (fewrel,) = [t for t in build_tables(collect_rows(results)) if t.dataset == "fewrel/val_wiki"]
    ranking = rank_table(fewrel)
    assert ranking.column == "Avg" and ranking.ranked == ("proto", "random") and not ranking.unranked
    (comparison,) = ranking.comparisons  # 2 seeds: the per-seed Δ of the averages, t-test over seeds
    assert comparison.better == "proto" and comparison.difference > 0.4


def test_holm_matches_the_step_down_by_hand():
    # sorted: 0.005 <= .05/4, 0.01 <= .05/3, 0.03 > .05/2 -> stop; 0.04 is not tested
    assert holm([0.01, 0.04, 0.03, 0.005]) == [True, False, False, True]
    assert holm([0.03, 0.012]) == [True, True]  # 0.012 <= .05/2, then 0.03 <= .05/1
    assert holm([0.06, 0.012]) == [False, True]
    assert holm([0.04, 0.03]) == [False, False]  # 0.03 > .05/2 stops it, though 0.04 < .05 alone
    assert holm([]) == []


def test_rank_intervals_count_significant_wins_and_losses():
    ranked = ["a", "b", "c"]
    comparisons = [PairComparison("a", "b", 0.1, 0.001, "x", True), PairComparison("a", "c", 0.2, 0.001, "x", True),
                   PairComparison("b", "c", 0.01, 0.5, "x", False)]
    assert rank_intervals(ranked, comparisons) == {"a": (1, 1), "b": (2, 3), "c": (2, 3)}
    tied = [PairComparison(c.better, c.worse, c.difference, c.p_value, c.method, False) for c in comparisons]
    assert rank_intervals(ranked, tied) == {"a": (1, 3), "b": (1, 3), "c": (1, 3)}


def test_committed_fewrel_table_ranks_proto_desc_first_with_rank_intervals():
    markdown = (RESULTS / "LEADERBOARD.md").read_text(encoding="utf-8")
    fewrel = _rows(table_section(markdown, "### fewrel/val_wiki · episodic"))
    assert fewrel[0][0] == "proto-desc" and fewrel[0][1].startswith("1")
    assert all(rank != "" for _, rank in fewrel) and any("–" in rank for _, rank in fewrel)
    kshot = table_section(markdown, "### semeval2010/test · kshot")
    captions = [line for line in markdown.splitlines() if line.startswith("Cells: ")]
    # val_wiki, its cross-domain table, SemEval K-shot
    assert len(captions) == 3 and all(c.startswith("Cells: mean ± half-width of the 95% CI") for c in captions)
    assert "± std" not in markdown
    assert "| tkre [knowledge=schema] | 1–9 |" in kshot and "63.97 ± 3.19" in kshot  # K=16, CI not std (2.57)


def test_fixture_table_ranks_are_what_the_paired_tests_say():
    (fewrel,) = [t for t in build_tables(collect_rows(FIXTURE_RESULTS)) if t.dataset == "fewrel/val_wiki"]
    ranking = rank_table(fewrel)
    by_pair = {(c.better, c.worse): c for c in ranking.comparisons}
    assert by_pair[("proto", "random")].method == "paired bootstrap over episodes"
    assert by_pair[("proto", "random")].significant
    assert not by_pair[("random", "icl")].significant  # 20.67 vs 19.67 on 60 episodes: a tie
    assert ranking.rank_text("proto") == "1" and ranking.rank_text("random") == ranking.rank_text("icl") == "2–3"
