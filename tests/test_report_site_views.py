"""What the site's pages show, as views built from the committed results: per-relation bars, facts, table rows."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import build_tables
from fsre_bench.report.ranking import rank_table
from fsre_bench.report.site.views import FILTER_COLUMNS, result_page_name, result_view, table_view
from fsre_bench.results import ResultFile
from tests.support.report_fixtures import result_file

RESULTS = Path(__file__).resolve().parents[1] / "results"
TKRE_5_1 = RESULTS / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "tkre"


def test_a_result_page_is_named_by_its_path_and_shows_per_relation_accuracy_worst_first() -> None:
    run = ResultFile.load(result_file(TKRE_5_1))
    view = result_view(run, RESULTS, {"P361": "part of"})
    assert view.page == result_page_name(run, RESULTS) == "runs/" + "__".join(
        run.path.relative_to(RESULTS).with_suffix("").parts) + ".html"
    assert view.source == run.path.relative_to(RESULTS).as_posix() and view.why_no_relations == ""
    accuracies = [relation.accuracy for relation in view.relations]
    assert accuracies == sorted(accuracies) and len(view.relations) == 16
    assert all(r.low <= r.accuracy <= r.high and r.accuracy == r.correct / r.total for r in view.relations)
    assert sum(r.total for r in view.relations) == 3 * 1000 * 5  # 3 seeds x 1000 episodes x 5 queries
    assert view.overall_accuracy == pytest.approx(run.result["metrics"]["accuracy"]["mean"])
    assert any(r.name == "part of (P361)" for r in view.relations)  # a known name beside its id
    facts = dict(view.facts)
    assert (facts["Method"], facts["Setting"], facts["Seeds"]) == (run.method_label, "5-1", "0, 1, 2")
    assert {m["name"] for m in view.metrics} == {"accuracy", "micro_f1"}


def test_a_result_page_without_logs_says_why_it_has_no_relations(tmp_path: Path) -> None:
    source = result_file(TKRE_5_1)
    copy = tmp_path / "runs" / source.name
    copy.parent.mkdir()
    shutil.copy(source, copy)
    view = result_view(ResultFile.load(copy), tmp_path, {})
    assert view.relations == [] and view.overall_accuracy is None
    assert view.why_no_relations.startswith("per-relation accuracy needs the predictions logs beside the result")


def test_a_table_view_lists_rows_in_ranking_order_with_filters_and_cells() -> None:
    tables = build_tables(collect_rows(RESULTS / "runs" / "fewrel_val_wiki" / "episodic" / "5-1"))
    main = table_view(next(t for t in tables if t.protocol == "episodic" and not t.training_group), RESULTS)
    assert [row.label for row in main.rows] == rank_table(next(t for t in tables if not t.training_group)).order
    assert set(main.filters) == set(FILTER_COLUMNS)
    assert all(value in main.filters[column] for row in main.rows for column, value in row.facts.items()
               if column in FILTER_COLUMNS)
    assert main.notes[0].startswith("Cells: mean ± half-width") and main.anchor == "fewrel_val_wiki-episodic"
    cross = next(t for t in tables if t.training_group == "semeval2010/train")
    view = table_view(cross, RESULTS)
    assert view.title.endswith(" · cross-domain: trained on semeval2010/train")
    assert view.notes[0].startswith("Cross-domain: the trained rows here learned from SemEval-2010's relations")
    cell = next(row.scores["5-1"] for row in view.rows if row.label.startswith("tkre ["))
    assert cell.text == "61.55 ± 9.41" and cell.low < cell.mean < cell.high  # the leaderboard's cell
    assert cell.result_page.startswith("runs/runs__fewrel_val_wiki__episodic__5-1__tkre__")
