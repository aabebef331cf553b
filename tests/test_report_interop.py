"""`fsre-bench export --format hf-model-index / lm-eval` on the committed results: the documented fields are
there and every value read back equals the result file's."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.interop import lm_eval_task, read_hf_model_index, read_lm_eval_results

RESULTS = Path(__file__).resolve().parents[1] / "results"
# huggingface/hub-docs modelcard.md: the fields marked "Required" in the model-index block.
HF_REQUIRED = {"task": ("type",), "dataset": ("type", "name"), "metric": ("type", "value")}
# lm-evaluation-harness 0.4 results_*.json: the top-level sections its readers and the Open LLM Leaderboard use.
LM_EVAL_SECTIONS = ("results", "group_subtasks", "configs", "versions", "n-shot", "higher_is_better", "n-samples",
                    "config", "git_hash", "date")


def metric_blocks(run):
    return {name: block for name, block in run.result["metrics"].items() if isinstance(block, dict)}


def test_hf_model_index_has_the_required_fields_and_round_trips(tmp_path, capsys):
    out = tmp_path / "model-index.yaml"
    assert main(["export", "--results", str(RESULTS), "--format", "hf-model-index", "--out", str(out)]) == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    models = data["model-index"]
    rows = collect_rows(RESULTS)
    assert sorted(m["name"] for m in models) == sorted({r.method_label for r in rows})
    for model in models:
        for item in model["results"]:
            for section, fields in (("task", HF_REQUIRED["task"]), ("dataset", HF_REQUIRED["dataset"])):
                assert all(item[section].get(f) for f in fields), (model["name"], section)
            assert all(all(f in m for f in HF_REQUIRED["metric"]) for m in item["metrics"])
            assert all(m["verified"] is False for m in item["metrics"])  # only the hub can verify
    values = read_hf_model_index(data)
    expected = {(r.method_label, r.dataset, r.setting, metric): block["mean"] * 100
                for r in rows for metric, block in metric_blocks(r).items()}
    assert values == expected
    # standard output gives the same YAML
    assert main(["export", "--results", str(RESULTS), "--format", "hf-model-index"]) == 0
    assert capsys.readouterr().out == out.read_text(encoding="utf-8")


def test_lm_eval_results_have_its_sections_and_round_trip(tmp_path):
    out = tmp_path / "lm-eval"
    assert main(["export", "--results", str(RESULTS), "--format", "lm-eval", "--out", str(out)]) == 0
    rows = collect_rows(RESULTS)
    files = sorted(out.glob("results_*.json"))
    assert len(files) == len(rows)
    values = {}
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert all(section in data for section in LM_EVAL_SECTIONS), path.name
        (task,) = data["results"]
        assert data["results"][task]["alias"] == task
        for key in data["results"][task]:
            if key != "alias":
                assert key.endswith(",none"), key
        values.update(read_lm_eval_results(data))
    expected = {(r.method_label, lm_eval_task(r), metric): block["mean"]
                for r in rows for metric, block in metric_blocks(r).items()}
    assert values == expected


def test_lm_eval_stderr_is_the_seed_standard_error_where_there_are_seeds(tmp_path):
    (run,) = [r for r in collect_rows(RESULTS) if r.protocol == "kshot" and r.method_name == "proto"
              and r.setting == "K=8"]
    path = run.path
    out = tmp_path / "one"
    assert main(["export", "--results", str(path), "--format", "lm-eval", "--out", str(out)]) == 0
    (file,) = out.glob("*.json")
    data = json.loads(file.read_text(encoding="utf-8"))
    block = run.result["metrics"]["micro_f1"]
    (metrics,) = data["results"].values()
    assert metrics["micro_f1_stderr,none"] == block["std_over_seeds"] / len(run.result["seeds"]) ** 0.5


def test_lm_eval_needs_a_directory(tmp_path, capsys):
    from tests.support.cli_helpers import fails_with_one_line

    fails_with_one_line(capsys, ["export", "--results", str(RESULTS), "--format", "lm-eval"], "--out DIRECTORY")
