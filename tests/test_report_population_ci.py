"""The leaderboard's generalising interval read from a result's logs, withheld where a ± would mislead."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.metrics.population import CI_OVER_RELATIONS, CI_OVER_SENTENCES
from fsre_bench.report.population_ci import (
    _check_shared_test_set,
    negative_class,
    population_cell,
    population_summary,
)
from fsre_bench.results import ResultFile
from tests.support.report_fixtures import result_file

RUNS = Path(__file__).resolve().parents[1] / "results" / "runs"


def _run(path: str) -> ResultFile:
    return ResultFile.load(result_file(RUNS / path))


def test_a_committed_episodic_row_gets_the_interval_over_relations() -> None:
    tkre = _run("fewrel_val_wiki/episodic/5-1/tkre")
    cell = population_cell(tkre, "accuracy")
    low, high = cell["population_ci95"]
    assert (round((high - low) / 2 * 100, 2), cell["population_why_no_ci"]) == (9.41, None)  # the leaderboard's ± 9.41
    assert low < tkre.result["metrics"]["accuracy"]["mean"] < high
    assert cell["population_ci_method"] == CI_OVER_RELATIONS
    assert population_summary(tkre, "accuracy") is population_summary(tkre, "accuracy")  # computed once


def test_a_kshot_row_gets_the_interval_over_sentences_and_its_negative_class() -> None:
    proto = _run("semeval2010_test/kshot/K8/proto")
    summary = population_summary(proto, "micro_f1")
    assert summary["ci_method"] == CI_OVER_SENTENCES and summary["why_no_ci"] is None
    assert summary["ci95"][0] < proto.result["metrics"]["micro_f1"]["mean"] < summary["ci95"][1]
    other = negative_class(proto)
    assert other["label"] == "Other" and len(other["per_seed"]) == 5
    assert other["n"] == sum(seed["n"] for seed in other["per_seed"])
    assert 0 < other["pred_share"] < other["gold_share"]  # the methods under-predict Other
    assert negative_class(_run("fewrel_val_wiki/episodic/5-1/proto")) is None  # no negative label


def test_a_degenerate_row_gets_no_interval() -> None:
    icl = _run("fewrel_val_wiki/episodic/5-1/icl")
    assert population_cell(icl, "accuracy")["population_ci95"] is None
    assert population_cell(icl, "accuracy")["population_why_no_ci"] == "degenerate output"


def test_a_result_without_its_logs_falls_back_to_no_interval(tmp_path: Path) -> None:
    source = result_file(RUNS / "fewrel_val_wiki/episodic/5-1/random")
    shutil.copy(source, tmp_path / source.name)
    summary = population_summary(ResultFile.load(tmp_path / source.name), "accuracy")
    assert summary["ci95"] is None and summary["why_no_ci"].startswith("predictions logs unreadable (")



def test_kshot_splits_must_log_one_shared_test_set_in_one_order() -> None:
    proto = _run("semeval2010_test/kshot/K8/proto")
    records = proto.predictions_records()  # the committed five splits, each one record of SemEval's test sentences
    assert len(records) == 5 and {len(seed_records[0]["gold"]) for _, seed_records in records} == {2717}
    _check_shared_test_set(proto, records)  # the committed logs pair sentence by sentence
    seed, (split,) = records[1]
    gold = split["gold"]
    swap = next(i for i in range(1, len(gold)) if gold[i] != gold[0])
    reordered = [gold[swap], *gold[1:swap], gold[0], *gold[swap + 1:]]
    for broken in (reordered, gold[:-1]):  # one split's sentences in another order, or one sentence short
        with pytest.raises(DataError, match=r"K-shot splits' predictions logs do not list one shared test set"):
            _check_shared_test_set(proto, [records[0], (seed, [{**split, "gold": broken}]), *records[2:]])
