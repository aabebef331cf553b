"""The negative class's shares, precision and recall (a K-shot method that answers "Other" for everything)."""

from __future__ import annotations

import pytest

from fsre_bench.metrics.negative_class import negative_class_stats


def test_shares_precision_and_recall_by_hand() -> None:
    pairs = [(["Other", "A", "Other"], ["Other", "Other", "B"]), (["Other"], ["Other"])]
    # 4 queries: gold Other 3, predicted Other 3, both 2
    assert negative_class_stats(pairs, "Other") == pytest.approx(
        {"label": "Other", "n": 4, "gold_share": 0.75, "pred_share": 0.75, "precision": 2 / 3, "recall": 2 / 3})


def test_a_class_never_predicted_or_never_gold_has_no_precision_or_recall() -> None:
    stats = negative_class_stats([(["A", "B"], ["A", "B"])], "Other")
    assert (stats["precision"], stats["recall"], stats["gold_share"]) == (None, None, 0.0)
    assert negative_class_stats([], "Other") == {"label": "Other", "n": 0, "gold_share": 0.0, "pred_share": 0.0,
                                                 "precision": None, "recall": None}
    with pytest.raises(ValueError):
        negative_class_stats([(["A"], ["A", "B"])], "Other")


def test_negative_class_precision_and_recall():
    stats = negative_class_stats([(["Other", "A", "Other", "B"], ["Other", "Other", "A", "B"])], "Other")
    assert stats == {"label": "Other", "n": 4, "gold_share": 0.5, "pred_share": 0.5, "precision": 0.5, "recall": 0.5}
