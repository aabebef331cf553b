"""Issue 29's statistics where the reports use them: Holm families, per-seed degenerate checks, the
negative class, the generalising leaderboard interval and the method-vs-controls block (committed results)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fsre_bench.cli.main import main
from fsre_bench.metrics.multiplicity import holm_adjust
from fsre_bench.metrics.negative_class import negative_class_stats
from fsre_bench.metrics.population import population_interval
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import render_leaderboard
from fsre_bench.runner.assemble import SeedRun, answer_distribution
from fsre_bench.runner.plan import EpisodeSet
from fsre_bench.runner.seed_log import summarize_records
from fsre_bench.types import Episode

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_holm_step_down_matches_a_hand_computed_family_and_skips_untested_rows():
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> monotone: 0.02, 0.03, 0.06, 0.06
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm_adjust([None, 0.02, None, 0.5]) == [None, pytest.approx(0.04), None, pytest.approx(0.5)]
    assert holm_adjust([0.6, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1


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
    from fsre_bench.metrics.degenerate import degenerate_verdict

    assert degenerate_verdict(answers["distribution"]) is None  # pooled: r0 takes 47% of answers
    assert [v and v["seed"] for v in answers["degenerate_seeds"]] == [None, 1, None]
    assert answers["degenerate_seeds"][1]["pred_share"] == 1.0 and answers["negative_class"] is None


def test_negative_class_precision_and_recall():
    stats = negative_class_stats([(["Other", "A", "Other", "B"], ["Other", "Other", "A", "B"])], "Other")
    assert stats == {"label": "Other", "n": 4, "gold_share": 0.5, "pred_share": 0.5, "precision": 0.5, "recall": 0.5}


def test_population_interval_with_equal_relations_reduces_to_the_t_over_relations():
    """One seed: the interval is a t over the relations' accuracies (the linearised cells are those accuracies
    when every relation has the same number of queries)."""
    rng = np.random.default_rng(0)
    accuracies = rng.uniform(0.3, 0.9, 16)
    correct = np.round(accuracies * 100).astype(int)
    counts = [np.array([[int(i < c), 1, int(i < c), 1, 1] for c in correct for i in range(100)])]
    clusters = [[r for r in range(16) for _ in range(100)]]
    lo, hi = population_interval("accuracy", counts, clusters)
    from scipy import stats

    acc = correct / 100
    half = stats.t.ppf(0.975, 15) * acc.std(ddof=1) / 4
    assert (lo, hi) == pytest.approx((acc.mean() - half, acc.mean() + half))


def test_committed_leaderboard_cells_show_the_generalising_interval_and_name_both():
    markdown = render_leaderboard(collect_rows(RESULTS))
    assert "| 61.55 ± 9.41 |" in markdown  # tkre 5-1 over new relations (the result file's 61.55 ± 4.28 is kept)
    assert "over new relations and seeds" in markdown and "The CI for these relations" in markdown
    assert "over new test sentences and new K-shot splits" in markdown and "The CI for this test set" in markdown
    assert "| 20.00 degenerate |" in markdown  # no ± on a degenerate row
    assert "20.00 ± 0.00" not in markdown


def test_compare_block_is_one_holm_family_and_only_three_kshot_claims_survive(tmp_path, capsys):
    out_json = tmp_path / "block.json"
    assert main(["report", "compare", "--results", str(RESULTS), "--dataset", "semeval2010/test", "--settings",
                 "K=8,K=16,K=32", "--pairs", "finetune:tkre,finetune-synth:tkre,proto-ft:tkre",
                 "--json", str(out_json)]) == 0
    capsys.readouterr()
    block = json.loads(out_json.read_text())
    survivors = {(t["a"], t["setting"]) for t in block["tests"] if t["significant"]}
    assert survivors == {("finetune", "K=16"), ("finetune", "K=32"), ("proto-ft", "K=32")}
    k8 = next(t for t in block["tests"] if t["a"] == "finetune" and t["setting"] == "K=8")
    assert k8["p_raw"] == pytest.approx(0.047, abs=5e-4) and k8["p_holm"] == pytest.approx(0.140, abs=5e-4)
    committed = RESULTS / "comparisons" / "semeval2010_test-kshot-tkre-vs-controls.json"
    assert json.loads(committed.read_text()) == block  # the committed block is what the command computes


def test_committed_fewrel_comparisons_and_ablations_carry_no_star_after_holm():
    block = json.loads((RESULTS / "comparisons" / "fewrel_val_wiki-episodic-comparisons.json").read_text())
    assert len(block["tests"]) == 10 and not any(t["significant"] for t in block["tests"])
    assert min(t["p_holm"] for t in block["tests"]) == pytest.approx(0.114, abs=5e-4)
    for name in ("tkre-fewrel_val_wiki-episodic-5-1", "tkre-fewrel_val_wiki-episodic-5-5",
                 "tkre-semeval2010_test-kshot-K8"):
        table = json.loads((RESULTS / "ablations" / f"{name}.json").read_text())
        assert not any(row["significant"] for row in table["rows"])
        assert all(row["p_holm"] >= row["p_raw"] for row in table["rows"] if row["p_raw"] is not None)
        assert "| * |" not in (RESULTS / "ablations" / f"{name}.md").read_text()
