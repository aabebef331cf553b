"""Precision and recall of the negative class ("Other", "no_relation"), which micro-F1 leaves out.

micro-F1 without the negative label hides how often a method answers it: SemEval methods that
predict Other for 1-6% of test sentences against 16.7% gold score no worse for it. These numbers
put that in the result file and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def negative_class_stats(pairs: Iterable[tuple[Sequence[str], Sequence[str]]], negative: str) -> dict[str, Any]:
    """Over (predicted, gold) label lists: the negative class's gold and predicted shares, precision, recall."""
    n = gold_negative = pred_negative = both = 0
    for predicted, gold in pairs:
        for p, g in zip(predicted, gold, strict=True):
            n += 1
            gold_negative += g == negative
            pred_negative += p == negative
            both += p == negative and g == negative
    return {"label": negative, "n": n,
            "gold_share": gold_negative / n if n else 0.0, "pred_share": pred_negative / n if n else 0.0,
            "precision": both / pred_negative if pred_negative else None,
            "recall": both / gold_negative if gold_negative else None}
