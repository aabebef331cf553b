"""Ablation tables: Δ vs the reference equals a direct paired bootstrap over the logged episodes."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from fsre_bench.cli.main import main
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.metrics import count_units, paired_bootstrap
from fsre_bench.report.ablation import build_ablation_table, render_ablation_markdown
from fsre_bench.types import NOTA
from tests.support.report_fixtures import FEWREL_5_1, FIXTURE_RESULTS, SEMEVAL_K8, result_file, run_random


def _counts_from_logs(result_path, per_query: bool) -> list[np.ndarray]:
    """Straight from the JSONL logs, in log order: the independent side of the comparison."""
    result = json.loads(result_path.read_text())
    negative = {NOTA, result["dataset"].get("negative_label") or NOTA}
    per_seed = []
    for seed_row in result["per_seed"]:
        lines = (result_path.parent / seed_row["predictions"]).read_text().splitlines()[1:]
        rows = []
        for record in map(json.loads, lines):
            pairs = [([p], [g]) for p, g in zip(record["pred"], record["gold"], strict=True)] if per_query \
                else [(record["pred"], record["gold"])]
            rows.extend(count_units(p, g, negative).as_row() for p, g in pairs)
        per_seed.append(np.asarray(rows))
    return per_seed


def test_episodic_differences_equal_a_direct_paired_bootstrap():
    proto, random = result_file(FEWREL_5_1 / "proto"), result_file(FEWREL_5_1 / "random")
    table = build_ablation_table([random, proto], reference="proto", n_bootstrap=500, seed=7)
    assert [row.variant for row in table.rows] == ["proto", "random"]
    assert table.unit == "episode" and table.n_units == 60 and table.n_seeds == 2
    expected = paired_bootstrap("accuracy", _counts_from_logs(random, False), _counts_from_logs(proto, False),
                                n_bootstrap=500, seed=7)
    assert table.rows[1].difference == expected
    assert table.rows[1].difference.excludes_zero  # a floor is far below a working method
    stored = json.loads(proto.read_text())["metrics"]["accuracy"]
    assert table.rows[0].mean == stored["mean"] and list(table.rows[0].ci95) == stored["ci95"]
    markdown = render_ablation_markdown(table)
    assert "| proto (reference) |" in markdown and "on the same 60 episodes (2 seed(s))" in markdown
    assert f"| {expected.mean_difference * 100:+.2f} |" in markdown and "| * |" in markdown


def test_kshot_pairs_test_queries():
    proto, random = result_file(SEMEVAL_K8 / "proto"), result_file(SEMEVAL_K8 / "random")
    table = build_ablation_table([proto, random], reference="proto", n_bootstrap=200)
    assert table.unit == "query" and table.metric == "micro_f1"
    assert table.n_units == json.loads(proto.read_text())["per_seed"][0]["n_queries"]
    expected = paired_bootstrap("micro_f1", _counts_from_logs(random, True), _counts_from_logs(proto, True),
                                n_bootstrap=200, seed=0)
    assert table.rows[1].difference == expected
    markdown = render_ablation_markdown(table)  # not "querys", in the count or in the bootstrap's description
    assert f"on the same {table.n_units} queries (" in markdown and "paired bootstrap over queries," in markdown


def test_a_variant_on_other_episodes_is_refused(tmp_path):
    run_random(tmp_path, "--settings", "5-1", "--episodes", "30", "--seeds", "5,6")
    other = result_file(tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "random")
    with pytest.raises(DataError, match="not evaluated on the reference's episodes"):
        build_ablation_table([result_file(FEWREL_5_1 / "proto"), other], reference="proto")


def test_mixed_tasks_and_unknown_reference_are_refused():
    with pytest.raises(DataError, match="one task"):
        build_ablation_table([result_file(FEWREL_5_1 / "proto"), result_file(SEMEVAL_K8 / "proto")], reference="proto")
    with pytest.raises(ConfigError, match="not among the variants"):
        build_ablation_table([result_file(FEWREL_5_1 / "proto")], reference="tkre")


def test_report_ablation_command_prints_and_writes_markdown(tmp_path, capsys):
    out = tmp_path / "ablation.md"
    argv = ["report", "ablation", "--results", str(FIXTURE_RESULTS), "--dataset", "fewrel/val_wiki",
            "--setting", "5-1", "--reference", "proto", "--methods", "proto,random", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "proto" in printed and "random" in printed and "Δ" in printed
    text = out.read_text()
    assert "<!-- fsre-bench:ablation:start -->" in text and "| random |" in text
    assert main(argv) == 0 and out.read_text() == text
    assert main([*argv[:-2], "--reference", "tkre"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "reference 'tkre'" in err


def test_options_every_variant_shares_are_left_out_of_the_labels(tmp_path):
    """As `fsre-bench ablate` runs them: the same budgets for all variants, only the method differs."""
    paths = []
    for method in ("proto", "random"):
        source = result_file(FEWREL_5_1 / method)
        result = json.loads(source.read_text())
        result["config"]["method_options"] = {"knowledge": "schema", "tkre_stage1_epochs": 1}
        target = tmp_path / method / source.name
        shutil.copytree(source.parent, target.parent)
        target.write_text(json.dumps(result))
        paths.append(target)
    table = build_ablation_table(paths, reference="proto", n_bootstrap=100)
    assert [row.variant for row in table.rows] == ["proto", "random"]
