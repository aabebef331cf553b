"""Results as one pandas table: a row per result file x seed, with the result's CI, flags and provenance.

``fsre_bench.load_results(path)`` and ``fsre-bench export`` read the same files the leaderboard
reads (a results directory, or one result file) and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsre_bench.report.collect import load_rows, result_paths
from fsre_bench.results import ResultFile
from fsre_bench.results.flags import (
    assembled_by,
    degenerate,
    harness_state,
    is_dirty,
    is_mixed,
    side_information,
    training_variance_measured,
)

if TYPE_CHECKING:
    import pandas as pd


def load_results(path: str | Path) -> pd.DataFrame:
    """One row per result x seed; ``path`` is a results directory (as for the leaderboard) or one result file."""
    import pandas as pd

    rows = [seed_row for run in load_rows(result_paths(Path(path))) for seed_row in result_rows(run)]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    frame["parameters"] = frame["parameters"].astype("Int64")  # a count; floors have none (not NaN floats)
    return frame


def result_rows(run: ResultFile) -> list[dict[str, Any]]:
    """The result's shared columns repeated on each of its seeds' rows."""
    result = run.result
    summary = run.summary()
    verdict = degenerate(result)
    shared = {
        "result_file": str(run.path), "run_id": result["run_id"], "method": run.method_name,
        "label": run.method_label, "type": result["method"]["type"], "backbone": result["method"]["backbone"],
        "parameters": result["method"]["parameters"], "dataset": run.dataset, "protocol": run.protocol,
        "setting": run.setting, "n_seeds": len(result["seeds"]), "metric": run.primary_metric,
        "mean": summary["mean"], "ci_low": summary["ci95"][0], "ci_high": summary["ci95"][1],
        "ci_method": summary["ci_method"], "std_over_seeds": summary["std_over_seeds"],
        "limited": run.limited, "mixed": is_mixed(result), "dirty": is_dirty(result),
        "degenerate": verdict is not None,
        "degenerate_detail": f"{verdict['kind']} {verdict['value']}: {verdict['pred_share']:.1%} of answers, "
                             f"gold {verdict['gold_share']:.1%}" if verdict else None,
        "training_variance_measured": training_variance_measured(result),
        "side_information": side_information(result), "knowledge_source": result["method"]["knowledge_source"],
        "assembled_by": assembled_by(result), "created_utc": run.created_utc,
        "provenance": run.provenance, "declared": ", ".join(run.declared) or None,
    }
    return [{**shared, **_seed_columns(seed_row)} for seed_row in result["per_seed"]]


def _seed_columns(seed_row: dict[str, Any]) -> dict[str, Any]:
    provenance = seed_row.get("provenance") or {}
    harness = provenance.get("harness") or {}
    segments = provenance.get("segments") or []
    return {
        "seed": seed_row["seed"], "n_episodes": seed_row["n_episodes"], "n_queries": seed_row["n_queries"],
        "seed_accuracy": seed_row["metrics"]["accuracy"], "seed_micro_f1": seed_row["metrics"]["micro_f1"],
        "training_data": seed_row.get("training_data"),
        "harness_version": harness.get("version"), "git_commit": harness.get("git_hash"),
        "git_dirty": harness.get("git_dirty"),
        "seed_states": ", ".join(dict.fromkeys(harness_state(s.get("harness")) for s in segments)) or None,
        "training_data_sha256": provenance.get("training_data_sha256"),
        "fitted_model_keys": ", ".join(m["cache_key"] for m in provenance.get("fitted_models", [])) or None,
        "episode_file_sha256": seed_row["episode_file_sha256"], "predictions_sha256": seed_row["predictions_sha256"],
    }


COLUMNS = (
    "result_file", "run_id", "method", "label", "type", "backbone", "parameters", "dataset", "protocol", "setting",
    "seed", "n_seeds", "n_episodes", "n_queries", "metric", "mean", "ci_low", "ci_high", "ci_method",
    "std_over_seeds", "seed_accuracy", "seed_micro_f1", "limited", "mixed", "dirty", "degenerate",
    "degenerate_detail", "training_variance_measured", "side_information", "knowledge_source", "training_data",
    "harness_version", "git_commit", "git_dirty", "seed_states", "training_data_sha256", "fitted_model_keys",
    "episode_file_sha256", "predictions_sha256", "assembled_by", "created_utc", "provenance", "declared",
)
