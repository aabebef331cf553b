"""``fsre-bench plot``: which ablation tasks ``plot all`` draws (from the result files alone), and its refusals."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.render_plots import ablation_tasks, make_plots

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_ablation_tasks_are_where_an_ablation_ran_beside_its_method() -> None:
    tasks = ablation_tasks(collect_rows(RESULTS))
    assert ("fewrel/val_wiki", "episodic", "5-1", "tkre") in tasks
    assert ("semeval2010/test", "kshot", "K=8", "tkre") in tasks
    assert tasks == sorted(set(tasks)) and all(reference == "tkre" for *_, reference in tasks)
    without_tkre = [row for row in collect_rows(RESULTS / "runs" / "fewrel_val_wiki") if row.method_name != "tkre"]
    assert ablation_tasks(without_tkre) == []  # the ablated method must be there too


def _never(args: argparse.Namespace):
    raise AssertionError("no table should be built")


@pytest.mark.parametrize(("kind", "fields", "message"), [
    ("per-relation", {"run": None}, "plot per-relation needs --run RESULT.json"),
    ("ablation", {"dataset": "fewrel/val_wiki", "setting": None}, "plot ablation needs --dataset and --setting"),
    ("llm-cost", {"results": RESULTS / "runs" / "semeval2010_test"}, r"no in-context LLM \(icl\) runs with LLM usage"),
])
def test_a_plot_without_what_it_needs_is_one_line(tmp_path: Path, kind, fields, message) -> None:
    args = argparse.Namespace(**{"run": None, "dataset": None, "setting": None, "results": RESULTS, **fields})
    with pytest.raises(ConfigError, match=message):
        make_plots(kind, args, tmp_path, _never)
    assert list(tmp_path.iterdir()) == []
