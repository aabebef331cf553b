"""The runner end to end on the real val_wiki / SemEval data with the real MiniLM encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.results import ResultFile
from fsre_bench.runner import RunConfig, run


def _run(tmp: Path, **overrides) -> list:
    settings = {
        "methods": ["proto", "random"],
        "dataset": "fewrel/val_wiki",
        "settings": ["5-1"],
        "episodes": 20,
        "seeds": [0],
        "output_dir": str(tmp),
        "n_bootstrap": 200,
    } | overrides
    return run(RunConfig(**settings), command=["pytest"])


def _log(outcome) -> Path:
    return outcome.result_path.parent / outcome.result["per_seed"][0]["predictions"]


def test_run_writes_valid_results_with_confidence_intervals(tmp_path):
    outcomes = _run(tmp_path)
    assert [o.status for o in outcomes] == ["computed", "computed"]
    for outcome in outcomes:
        result = ResultFile.load(outcome.result_path).result  # validates against the schema
        accuracy = result["metrics"]["accuracy"]
        assert accuracy["ci95"][0] <= accuracy["mean"] <= accuracy["ci95"][1]
        assert "bootstrap over episodes" in accuracy["ci_method"]
        assert result["episodes"] == result["episodes"] | {"requested": 20, "effective": 20, "limited": False}
        lines = _log(outcome).read_text().splitlines()
        assert len(lines) == 21 and json.loads(lines[0])["method"] == outcome.method
        assert result["per_seed"][0]["n_queries"] == 20 * 5
    proto = outcomes[0].result
    assert proto["method"]["backbone"] == "all-MiniLM-L6-v2" and proto["method"]["type"] == "metric"


def test_same_seed_gives_byte_identical_predictions_and_episodes(tmp_path):
    first = _run(tmp_path / "a", methods=["proto"])[0]
    second = _run(tmp_path / "b", methods=["proto"])[0]
    assert _log(first).read_bytes() == _log(second).read_bytes()
    assert first.result["episodes"]["files"] == second.result["episodes"]["files"]
    assert first.result["metrics"]["accuracy"] == second.result["metrics"]["accuracy"]


def test_rerun_reuses_complete_results_and_always_recomputes(tmp_path):
    first = _run(tmp_path, methods=["random"])[0]
    again = _run(tmp_path, methods=["random"])[0]
    assert again.status == "reused" and again.result["run_id"] == first.result["run_id"]
    redo = _run(tmp_path, methods=["random"], overwrite="always")[0]
    assert redo.status == "computed" and redo.result["run_id"] != first.result["run_id"]
    assert _log(redo).read_bytes() == _log(first).read_bytes()


def test_options_of_other_methods_do_not_make_a_method_recompute(tmp_path):
    first = _run(tmp_path, methods=["random"])[0]
    with_tkre_options = _run(tmp_path, methods=["random"], method_options={"knowledge": "schema", "tkre_stage1_epochs": 1})
    assert with_tkre_options[0].status == "reused" and with_tkre_options[0].result_path == first.result_path


def test_a_method_is_rehashed_by_the_options_it_reads_and_only_those():
    from types import SimpleNamespace

    from fsre_bench.runner.plan import resolve_methods
    from fsre_bench.runner.runner import method_config_hash

    data = SimpleNamespace(train=None)

    def key(name: str, **options) -> str:
        config = RunConfig(methods=[name], dataset="fewrel/val_wiki", method_options=options)
        return method_config_hash(resolve_methods(config)[0], config, data)

    assert key("proto", knowledge="schema", icl_max_demos=3) == key("proto")
    assert key("proto", proto_representation="marker-mean") != key("proto")
    assert key("proto-ft", proto_ft_steps=10) != key("proto-ft") == key("proto-ft", tkre_stage1_epochs=1)
    assert key("tkre", knowledge="schema") != key("tkre", knowledge="llm")
    assert key("icl", icl_batch_queries=True) != key("icl") == key("icl", proto_representation="marker-mean")


def test_a_new_recipe_of_a_method_is_rehashed_so_old_results_are_not_reused():
    """proto-ft/TKRE now refit after selection: results made by the old recipe under the same options are stale."""
    from dataclasses import replace
    from types import SimpleNamespace

    from fsre_bench.methods import registry
    from fsre_bench.runner.plan import resolve_methods
    from fsre_bench.runner.runner import method_config_hash

    config = RunConfig(methods=["proto-ft"], dataset="fewrel/val_wiki")
    data = SimpleNamespace(train=None)
    assert registry.method_spec("proto-ft").recipe == "refit/1"
    assert registry.method_spec("tkre").recipe == "refit/1+paper/1"  # issue 31: the paper's SCL, head, corpora
    resolved = resolve_methods(config)[0]
    now = method_config_hash(resolved, config, data)
    older = replace(resolved, spec=replace(resolved.spec, recipe=""))
    assert method_config_hash(older, config, data) != now


def test_limit_takes_a_prefix_and_marks_the_result(tmp_path, capsys):
    full = _run(tmp_path / "full", methods=["random"])[0]
    limited = _run(tmp_path / "limited", methods=["random"], limit=5)[0]
    assert "NOT valid for" in capsys.readouterr().err
    assert limited.result["episodes"] | {"files": None} == {
        "requested": 20,
        "effective": 5,
        "limited": True,
        "files": None,
    }
    full_lines = _log(full).read_text().splitlines()
    limited_lines = _log(limited).read_text().splitlines()
    assert limited_lines[1:] == full_lines[1:6]


def test_protocol_kshot_reports_micro_f1_excluding_other_over_seeds(tmp_path):
    outcome = _run(
        tmp_path,
        methods=["proto"],
        protocol="kshot",
        dataset="semeval2010",
        k_values=[8],
        seeds=[13, 21],
        limit=150,
    )[0]
    result = outcome.result
    assert result["metrics"]["primary"] == "micro_f1"
    summary = result["metrics"]["micro_f1"]
    assert len(summary["per_seed"]) == 2 and summary["std_over_seeds"] is not None
    assert "Student-t" in summary["ci_method"]
    assert result["episodes"]["limited"] is True
    # micro-F1 excludes Other: recompute both metrics from the logged predictions of the first seed.
    records = [json.loads(line) for line in _log(outcome).read_text().splitlines()[1:]]
    pred = [p for r in records for p in r["pred"]]
    gold = [g for r in records for g in r["gold"]]
    assert "Other" in gold
    correct = sum(p == g != "Other" for p, g in zip(pred, gold, strict=True))
    precision = correct / sum(p != "Other" for p in pred)
    recall = correct / sum(g != "Other" for g in gold)
    expected_f1 = 2 * precision * recall / (precision + recall)
    expected_accuracy = sum(p == g for p, g in zip(pred, gold, strict=True)) / len(gold)
    first_seed = result["per_seed"][0]["metrics"]  # the seed _log() read
    assert first_seed["micro_f1"] == pytest.approx(expected_f1)
    assert first_seed["accuracy"] == pytest.approx(expected_accuracy)
    assert abs(expected_f1 - expected_accuracy) > 1e-3  # Other's correct answers count for accuracy only


def test_a_failing_method_does_not_lose_the_others(tmp_path):
    # proto calibrates its NOTA threshold on --train, which has too few relations for 5-way calibration episodes:
    # that fails only when proto fits (one line), and random, which needs nothing, still completes.
    fixture = str(Path(__file__).parent / "fixtures" / "data" / "fewrel_named.json")
    outcomes = _run(tmp_path, methods=["proto", "random"], na_rate=0.5, n_query=2, train=fixture)
    by_method = {o.method: o for o in outcomes}
    assert by_method["random"].status == "computed"
    assert by_method["proto"].status == "failed" and "NOTA calibration needs more than 5" in by_method["proto"].error


@pytest.mark.parametrize("na_rate", [0.5])
def test_nota_setting_with_calibration_on_training_relations(tmp_path, na_rate):
    outcome = _run(tmp_path, methods=["proto"], na_rate=na_rate, n_query=2, train="fewrel/val_semeval")[0]
    result = outcome.result
    # A NOTA run is shown and filed with its rate, never as plain 5-1.
    assert outcome.setting == result["setting"]["name"] == f"5-1-na{na_rate:g}"
    assert outcome.result_path.parent.parent.name == f"5-1-na{na_rate:g}"
    assert result["method"]["extra"]["nota_threshold"] is not None
    records = [json.loads(line) for line in _log(outcome).read_text().splitlines()[1:]]
    gold = [g for r in records for g in r["gold"]]
    assert gold.count("__nota__") / len(gold) == pytest.approx(na_rate, abs=0.05)
    assert result["dataset"]["train"]["name"] == "fewrel"
