"""The degenerate-output rule and position bias, by hand, and on a real run's result file."""

from __future__ import annotations

import pytest

from fsre_bench.metrics.degenerate import (
    accuracy_by_gold_position,
    degenerate_verdict,
    prediction_distribution,
)
from fsre_bench.runner import RunConfig, run
from fsre_bench.types import NOTA

RELATIONS = ("r0", "r1", "r2", "r3", "r4")


def _always_first(n_episodes: int) -> dict:
    """5-way 1-query-per-relation episodes answered "A" (the first option) every time, like the committed icl row."""
    return prediction_distribution([(RELATIONS, ["r0"] * 5, list(RELATIONS))] * n_episodes)


def test_always_the_first_option_is_degenerate_by_position():
    distribution = _always_first(50)
    assert distribution["n_predictions"] == 250 and distribution["pred_positions"] == {"0": 250}
    assert distribution["gold_positions"] == {str(i): 50 for i in range(5)}
    assert degenerate_verdict(distribution) == {"kind": "position", "value": "0", "pred_share": 1.0, "gold_share": 0.2}
    # position bias: right only when the gold answer is the first option
    assert accuracy_by_gold_position(distribution) == {"0": 1.0, "1": 0.0, "2": 0.0, "3": 0.0, "4": 0.0}


def test_a_majority_label_the_gold_also_holds_is_not_degenerate():
    """TACRED-like: 92% predicted no_relation where 80% of gold is no_relation (gap 12 points < 30)."""
    labels = ("no_relation", "per:title")
    predicted = ["no_relation"] * 92 + ["per:title"] * 8
    gold = ["no_relation"] * 80 + ["per:title"] * 20
    assert degenerate_verdict(prediction_distribution([(labels, predicted, gold)])) is None


@pytest.mark.parametrize(("gold_majority", "flagged"), [(60, True), (61, False)])
def test_the_30_point_gap_is_the_boundary(gold_majority, flagged):
    """90% predicted on one label: flagged when gold has <= 60% there (gap >= 30 points), not at 61%."""
    labels = ("a", "b")
    predicted = ["a"] * 90 + ["b"] * 10
    gold = ["a"] * gold_majority + ["b"] * (100 - gold_majority)
    verdict = degenerate_verdict(prediction_distribution([(labels, predicted, gold)]))
    assert (verdict is not None) == flagged
    if flagged:
        assert verdict["kind"] == "position" and verdict["pred_share"] == 0.9 and verdict["gold_share"] == 0.6


def test_below_90_percent_is_never_degenerate():
    predicted = ["r0"] * 89 + ["r1"] * 11
    gold = [RELATIONS[i % 5] for i in range(100)]
    assert degenerate_verdict(prediction_distribution([(RELATIONS, predicted, gold)])) is None


def test_a_label_spread_over_positions_is_caught_by_label():
    """Always naming one relation, wherever it sits in the options: positions vary, the label does not."""
    episodes = [(("x", "r1"), ["x", "x"], ["x", "r1"]), (("r2", "x"), ["x", "x"], ["r2", "x"])] * 25
    verdict = degenerate_verdict(prediction_distribution(episodes))
    assert verdict == {"kind": "label", "value": "x", "pred_share": 1.0, "gold_share": 0.5}


def test_nota_and_unparsed_answers_have_their_own_positions():
    distribution = prediction_distribution([(RELATIONS, [NOTA, "__unparsed__", "r1"], [NOTA, "r0", "r1"])])
    assert distribution["pred_positions"] == {"1": 1, "nota": 1, "unparsed": 1}
    assert accuracy_by_gold_position(distribution) == {"0": 0.0, "1": 1.0, "nota": 1.0}


def test_a_run_records_its_answer_distribution_and_flags(tmp_path):
    config = RunConfig(methods=["random"], dataset="fewrel/val_wiki", settings=["5-1"], episodes=40, seeds=[0, 1],
                       output_dir=str(tmp_path), n_bootstrap=200)
    (outcome,) = run(config, command=["pytest"])
    answers = outcome.result["answers"]
    assert answers["distribution"]["n_predictions"] == 2 * 40 * 5
    assert sum(answers["distribution"]["pred_positions"].values()) == 400
    assert set(answers["accuracy_by_gold_position"]) == {"0", "1", "2", "3", "4"}
    assert outcome.result["flags"]["degenerate"] is None  # uniform guessing spreads over positions
