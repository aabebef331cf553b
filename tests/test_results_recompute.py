"""A result's metrics recomputed from its logs: committed results come out as they were written, float for float."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.results.predictions import read_predictions_log
from fsre_bench.results.recompute import METRIC_NAMES, records_counts, seed_metrics, summarize_counts
from tests.support.report_fixtures import FEWREL_5_1, SEMEVAL_K8, result_file

RUNS = Path(__file__).resolve().parents[1] / "results" / "runs"


def _result_and_records(directory):
    result = json.loads(result_file(directory).read_text())
    records = [read_predictions_log(directory / row["predictions"]) for row in result["per_seed"]]
    return result, records


@pytest.mark.parametrize("run", ["fewrel_val_wiki/episodic/5-1/random", "semeval2010_test/kshot/K8/proto",
                                 "semeval2010_test/kshot/K8/finetune"])
def test_committed_results_are_what_their_logs_give(run) -> None:
    """An episodic frozen method, a K-shot frozen one (t over splits) and a trained one (the seed-level summary)."""
    directory = RUNS / run
    result, records = _result_and_records(directory)
    counts = records_counts(records, result["dataset"]["negative_label"], result["protocol"])
    assert [seed_metrics(c) for c in counts] == [row["metrics"] for row in result["per_seed"]]
    trained = result["method"]["type"] == "trained"
    summary = summarize_counts(counts, protocol=result["protocol"], trained=trained,
                               n_bootstrap=int(result["config"].get("n_bootstrap") or 1000))
    assert set(summary) == set(METRIC_NAMES)
    for name in METRIC_NAMES:
        written = result["metrics"][name]
        assert summary[name] == {key: value for key, value in written.items() if key in summary[name]}
        assert set(summary[name]) >= {"mean", "ci95", "per_seed"}


def test_episodic_counts_are_one_row_per_episode_and_kshot_one_per_query() -> None:
    _, records = _result_and_records(FEWREL_5_1 / "proto")
    counts = records_counts(records, None, "episodic")
    assert [c.shape for c in counts] == [(30, 5), (30, 5)]
    first = records[0][0]
    right = sum(p == g for p, g in zip(first["pred"], first["gold"], strict=True))
    assert counts[0][0][:2].tolist() == [right, 5]  # correct, total
    kshot_result, kshot_records = _result_and_records(SEMEVAL_K8 / "proto")
    kshot = records_counts(kshot_records, kshot_result["dataset"]["negative_label"], "kshot")
    assert [len(c) for c in kshot] == [sum(len(r["gold"]) for r in seed) for seed in kshot_records]


def test_micro_f1_leaves_the_negative_class_out() -> None:
    """Gold Other / pred Other is right for accuracy but no true positive; with no negative label it is one."""
    records = [[{"episode": "0", "gold": ["Other", "A", "B"], "pred": ["Other", "A", "A"]}]]
    with_negative = seed_metrics(records_counts(records, "Other", "episodic")[0])
    without = seed_metrics(records_counts(records, None, "episodic")[0])
    assert with_negative["accuracy"] == without["accuracy"] == pytest.approx(2 / 3)
    assert with_negative["micro_f1"] == pytest.approx(2 * 1 / (2 + 2))  # tp 1 (A), predicted positive 2, gold positive 2
    assert without["micro_f1"] == pytest.approx(2 * 2 / (3 + 3))  # Other is a relation like any other
