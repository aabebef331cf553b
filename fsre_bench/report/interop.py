"""Results in two formats other tools read: Hugging Face's model-index and lm-evaluation-harness's results JSON.

- **model-index** (the YAML block of a Hugging Face model card, huggingface/hub-docs modelcard.md): one entry
  per method label, one ``results`` item per result file with the fields the spec requires (task.type,
  dataset.type, dataset.name, metrics[].type, metrics[].value) and the optional ones we know (task.name,
  dataset.config = the setting, dataset.split, metrics[].name, verified: false, source.name). Values are in %,
  as the leaderboard prints them.
- **lm-eval results** (lm-evaluation-harness 0.4's ``results_*.json``): one file per result, task named
  ``fsre_<dataset>_<protocol>_<setting>``, metrics keyed ``<metric>,none`` with ``<metric>_stderr,none``,
  and the sections it writes beside them (configs, versions, n-shot, higher_is_better, n-samples, config).
  Values are fractions, as lm-eval's are.

Readers for both give back (method, dataset, setting, metric) -> value, which is what the round-trip test checks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from fsre_bench.report.collect import setting_order
from fsre_bench.results import ResultFile
from fsre_bench.results.flags import harness_state

TASK_TYPE = "text-classification"  # the hub's task list has no relation extraction; RC is classification
TASK_NAME = "Few-shot relation classification"
SOURCE_NAME = "fsre-bench"
LM_EVAL_VERSION = 1  # our task definitions' version in lm-eval's "versions" section


def _metrics(run: ResultFile) -> list[tuple[str, dict[str, Any]]]:
    """The result's metrics, primary first."""
    blocks = {name: block for name, block in run.result["metrics"].items() if isinstance(block, dict)}
    return sorted(blocks.items(), key=lambda kv: (kv[0] != run.primary_metric, kv[0]))


# ----------------------------------------------------------------------------- model-index
def hf_model_index(rows: Sequence[ResultFile]) -> dict[str, Any]:
    """``{"model-index": [...]}``: one model per method label, its results in dataset, protocol, setting order."""
    by_label: dict[str, list[ResultFile]] = {}
    for run in sorted(rows, key=lambda r: (r.method_label, r.dataset, r.protocol, setting_order(r.setting), str(r.path))):
        by_label.setdefault(run.method_label, []).append(run)
    return {"model-index": [{"name": label, "results": [_hf_result(run) for run in runs]}
                            for label, runs in by_label.items()]}


def _hf_result(run: ResultFile) -> dict[str, Any]:
    name, split = run.result["dataset"]["name"], run.result["dataset"]["split"]
    seeds = run.result["seeds"]
    metrics = [{"type": metric, "value": block["mean"] * 100,
                "name": f"{metric} (%, mean over {len(seeds)} seed(s); 95% CI {block['ci95'][0] * 100:.2f}–"
                        f"{block['ci95'][1] * 100:.2f}, {block['ci_method']})",
                "verified": False}
               for metric, block in _metrics(run)]
    return {"task": {"type": TASK_TYPE, "name": f"{TASK_NAME} ({run.protocol})"},
            "dataset": {"type": name, "name": f"{name} {split} {run.setting}", "config": run.setting, "split": split},
            "metrics": metrics,
            "source": {"name": f"{SOURCE_NAME} {harness_state(run.result.get('harness'))}"}}


def read_hf_model_index(data: dict[str, Any]) -> dict[tuple[str, str, str, str], float]:
    """(method, dataset/split, setting, metric) -> value (%), checking the spec's required fields."""
    values = {}
    for model in data["model-index"]:
        for item in model["results"]:
            task, dataset = item["task"], item["dataset"]
            if not task.get("type") or not dataset.get("type") or not dataset.get("name"):
                raise ValueError(f"{model['name']}: a result lacks task.type, dataset.type or dataset.name")
            for metric in item["metrics"]:
                if "type" not in metric or "value" not in metric:
                    raise ValueError(f"{model['name']}: a metric lacks type or value")
                key = (model["name"], f"{dataset['type']}/{dataset['split']}", dataset["config"], metric["type"])
                values[key] = float(metric["value"])
    return values


# ----------------------------------------------------------------------------- lm-eval
def lm_eval_task(run: ResultFile) -> str:
    text = f"fsre_{run.dataset}_{run.protocol}_{run.setting}"
    return re.sub(r"[^A-Za-z0-9_]+", "_", text.replace("=", "").replace("%", "pct")).strip("_").lower()


def _stderr(block: dict[str, Any], n_seeds: int) -> tuple[float, str]:
    """lm-eval reports a standard error: std over seeds / sqrt(n) where there are seeds, else the CI's half-width / 1.96."""
    std = block.get("std_over_seeds")
    if std is not None and n_seeds > 1:
        return std / math.sqrt(n_seeds), "std over seeds / sqrt(seeds)"
    low, high = block["ci95"]
    return (high - low) / 2 / 1.96, "95% CI half-width / 1.96"


def lm_eval_results(run: ResultFile) -> dict[str, Any]:
    task = lm_eval_task(run)
    seeds = run.result["seeds"]
    metrics: dict[str, Any] = {"alias": task}
    stderr_methods = {}
    for metric, block in _metrics(run):
        metrics[f"{metric},none"] = block["mean"]
        metrics[f"{metric}_stderr,none"], stderr_methods[metric] = _stderr(block, len(seeds))
    setting = run.result["setting"]
    n_queries = sum(seed["n_queries"] for seed in run.result["per_seed"])
    return {
        "results": {task: metrics},
        "group_subtasks": {task: []},
        "configs": {task: {"task": task, "dataset_path": run.result["dataset"]["name"],
                           "dataset_name": run.result["dataset"]["split"], "output_type": "multiple_choice",
                           "metadata": {"version": LM_EVAL_VERSION, "protocol": run.protocol,
                                        "setting": run.setting, "n_way": setting.get("n_way"),
                                        "k_shot": setting.get("k_shot"), "na_rate": setting.get("na_rate"),
                                        "seeds": seeds, "ci95": {m: b["ci95"] for m, b in _metrics(run)},
                                        "ci_method": {m: b["ci_method"] for m, b in _metrics(run)},
                                        "stderr_method": stderr_methods, "fsre_bench_result": run.path.name}}},
        "versions": {task: LM_EVAL_VERSION},
        "n-shot": {task: setting.get("k_shot")},
        "higher_is_better": {task: {metric: True for metric, _ in _metrics(run)}},
        "n-samples": {task: {"original": n_queries, "effective": n_queries}},
        "config": {"model": run.method_label, "model_args": run.result["method"].get("options") or {},
                   "model_num_parameters": run.result["method"]["parameters"]},
        "git_hash": (run.result.get("harness") or {}).get("git_hash"),
        "date": run.created_utc,
    }


def read_lm_eval_results(data: dict[str, Any]) -> dict[tuple[str, str, str], float]:
    """(model, task, metric) -> value, from the sections lm-eval's own readers use."""
    values = {}
    for task, metrics in data["results"].items():
        if task not in data["versions"] or task not in data["n-shot"]:
            raise ValueError(f"{task}: missing from versions or n-shot")
        for key, value in metrics.items():
            metric, _, filter_name = key.partition(",")
            if filter_name and not metric.endswith("_stderr"):
                values[(data["config"]["model"], task, metric)] = float(value)
    return values
