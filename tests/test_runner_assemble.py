"""A finished run's result file holds what its predictions logs say: per-seed counts, scores, hashes and timing,
the pooled metrics, and the answer distribution, each recomputed here by hand from the logs on disk.

The runs are real (``random`` on the shared val_wiki and SemEval, a few episodes); only what ends up in the
result file is checked, so these tests hold across the result-class merge (issue 28 item 3)."""

from __future__ import annotations

import hashlib
import json
import statistics
from collections import Counter
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset, resolve_data_dir
from fsre_bench.metrics.degenerate import degenerate_verdict
from fsre_bench.results import ResultFile
from fsre_bench.runner import RunConfig, run
from fsre_bench.runner.assemble import SeedRun, answer_distribution
from fsre_bench.runner.plan import EpisodeSet, build_episode_sets, load_run_data
from fsre_bench.runner.seed_log import summarize_records
from fsre_bench.types import Episode

EPISODIC = {"methods": ["random"], "dataset": "fewrel/val_wiki", "episodes": 5, "limit": 4, "seeds": [0, 1],
            "n_query": 2, "n_bootstrap": 100}


def _run(tmp_path: Path, **settings) -> tuple[RunConfig, dict, Path]:
    config = RunConfig(**settings, output_dir=str(tmp_path))
    (outcome,) = run(config, command=["pytest"])
    return config, ResultFile.load(outcome.result_path).result, outcome.result_path


def _records(result_path: Path, row: dict) -> list[dict]:
    lines = (result_path.parent / row["predictions"]).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines[1:]]


@pytest.fixture(scope="module")
def episodic(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunConfig, dict, Path]:
    return _run(tmp_path_factory.mktemp("episodic"), **EPISODIC)


def test_each_seeds_row_is_counted_and_scored_from_its_log(episodic) -> None:
    _, result, path = episodic
    accuracies = []
    for row, seed in zip(result["per_seed"], [0, 1], strict=True):
        records = _records(path, row)
        log = path.parent / row["predictions"]
        assert row["seed"] == seed and row["predictions_sha256"] == hashlib.sha256(log.read_bytes()).hexdigest()
        assert (row["n_episodes"], row["n_queries"], row["failures"]) == (4, 40, 0) == (
            len(records), sum(len(r["gold"]) for r in records), sum(r["failures"] for r in records))
        correct = sum(p == g for r in records for p, g in zip(r["pred"], r["gold"], strict=True))
        accuracies.append(correct / row["n_queries"])
        assert row["metrics"]["accuracy"] == pytest.approx(accuracies[-1])
    accuracy = result["metrics"]["accuracy"]
    assert result["metrics"]["primary"] == "accuracy"
    assert accuracy["per_seed"] == pytest.approx(accuracies)
    assert accuracy["mean"] == pytest.approx(statistics.mean(accuracies))
    assert accuracy["std_over_seeds"] == pytest.approx(statistics.stdev(accuracies))
    assert accuracy["ci95"][0] <= accuracy["mean"] <= accuracy["ci95"][1]


def test_episodes_dataset_setting_and_timing_blocks_say_what_was_run(episodic) -> None:
    config, result, _ = episodic
    sets = build_episode_sets(config, load_run_data(config))
    assert result["episodes"]["requested"] == 5 and result["episodes"]["effective"] == 4
    assert result["episodes"]["limited"] and result["flags"]["limited"]
    assert [(f["seed"], f["sha256"]) for f in result["episodes"]["files"]] == [(s.seed, s.sha256) for s in sets]
    assert [row["episode_file_sha256"] for row in result["per_seed"]] == [s.sha256 for s in sets]
    assert result["setting"] == {"name": "5-1", "n_way": 5, "k_shot": 1, "n_query": 2, "na_rate": 0.0,
                                 "sampler": "default"}
    val_wiki = load_dataset("fewrel/val_wiki", resolve_data_dir(None))
    assert result["dataset"] | {"sha256": val_wiki.source_sha256, "n_instances": len(val_wiki)} == result["dataset"]
    assert result["seeds"] == [0, 1]
    rows = result["per_seed"]
    for key in ("fit_s", "predict_s", "wall_s"):
        assert result["timing"][key] == pytest.approx(sum(row["timing"][key] for row in rows), abs=2e-3)


def test_the_answer_distribution_is_counted_over_positions_and_labels(episodic) -> None:
    config, result, path = episodic
    sets = build_episode_sets(config, load_run_data(config))
    pred_positions, gold_positions, correct, pred_labels = Counter(), Counter(), Counter(), Counter()
    for episode_set, row in zip(sets, result["per_seed"], strict=True):
        relations = {episode.id: episode.relations for episode in episode_set.episodes}
        for record in _records(path, row):
            for pred, gold in zip(record["pred"], record["gold"], strict=True):
                order = relations[record["episode"]]
                pred_positions[str(order.index(pred))] += 1
                gold_positions[str(order.index(gold))] += 1
                correct[str(order.index(gold))] += pred == gold
                pred_labels[pred] += 1
    distribution = result["answers"]["distribution"]
    assert distribution["n_predictions"] == 80 == sum(pred_positions.values())
    assert distribution["pred_positions"] == dict(pred_positions)
    assert distribution["gold_positions"] == dict(gold_positions) == {str(i): 16 for i in range(5)}
    assert distribution["pred_labels"] == dict(pred_labels)
    assert result["answers"]["accuracy_by_gold_position"] == pytest.approx(
        {position: correct[position] / 16 for position in gold_positions})
    assert result["answers"]["negative_class"] is None  # val_wiki has no negative label


def test_kshot_scores_micro_f1_without_the_negative_class(tmp_path: Path) -> None:
    _, result, path = _run(tmp_path, methods=["random"], dataset="semeval2010/test", protocol="kshot", k_values=[8],
                           seeds=[1], limit=60, n_bootstrap=100)
    assert result["metrics"]["primary"] == "micro_f1" and result["dataset"]["negative_label"] == "Other"
    pairs = [(p, g) for r in _records(path, result["per_seed"][0]) for p, g in zip(r["pred"], r["gold"], strict=True)]
    assert len(pairs) == 60
    hits = sum(p == g != "Other" for p, g in pairs)
    predicted, actual = sum(p != "Other" for p, _ in pairs), sum(g != "Other" for _, g in pairs)
    precision, recall = hits / predicted, hits / actual
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    assert result["per_seed"][0]["metrics"]["micro_f1"] == pytest.approx(f1)
    assert result["metrics"]["micro_f1"]["mean"] == pytest.approx(f1)
    gold_other, pred_other = sum(g == "Other" for _, g in pairs), sum(p == "Other" for p, _ in pairs)
    assert result["answers"]["negative_class"] == pytest.approx({
        "label": "Other", "n": 60, "gold_share": gold_other / 60, "pred_share": pred_other / 60,
        "precision": sum(p == g == "Other" for p, g in pairs) / pred_other if pred_other else None,
        "recall": sum(p == g == "Other" for p, g in pairs) / gold_other if gold_other else None})


def _seed_run(tmp_path: Path, seed: int, relations: tuple[str, ...], n: int) -> SeedRun:
    episodes = [Episode(id=f"{seed}-{i}", relations=relations, support=((),) * len(relations), queries=(),
                       labels=())
                for i in range(n)]
    episode_set = EpisodeSet(setting="5-1", seed=seed, episodes=episodes, requested=n, path=tmp_path / f"{seed}.jsonl",
                             sha256="0" * 64, header={})
    return SeedRun(episode_set=episode_set, log_path=tmp_path / f"{seed}.log")


def test_one_collapsed_seed_of_three_is_flagged_though_the_pooled_shares_are_not_degenerate(tmp_path):
    relations = ("r0", "r1", "r2", "r3", "r4")
    runs = [_seed_run(tmp_path, seed, relations, 100) for seed in range(3)]
    gold = list(relations)
    working = [{"episode": f"{{seed}}-{i}", "gold": gold, "pred": gold[1:] + gold[:1] if i % 3 == 0 else gold}
               for i in range(100)]
    records = []
    for seed in range(3):
        if seed == 1:  # answers position 0 / label r0 for every query
            records.append([{"episode": f"1-{i}", "gold": gold, "pred": ["r0"] * 5} for i in range(100)])
        else:
            records.append([{**r, "episode": r["episode"].format(seed=seed)} for r in working])
    logs = [summarize_records(seed_records, run.episode_set.episodes, negative_label=None, per_query=False)
            for run, seed_records in zip(runs, records, strict=True)]
    answers = answer_distribution(runs, logs)
    assert degenerate_verdict(answers["distribution"]) is None  # pooled: r0 takes 47% of answers
    assert [v and v["seed"] for v in answers["degenerate_seeds"]] == [None, 1, None]
    assert answers["degenerate_seeds"][1]["pred_share"] == 1.0 and answers["negative_class"] is None
