"""Precision and recall of the negative class ("Other", "no_relation"), which micro-F1 leaves out.

micro-F1 without the negative label hides how often a method answers it: SemEval methods that
predict Other for 1-6% of test sentences against 16.7% gold score no worse for it. These numbers
put that in the result file and the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class NegativeClassCounts:
    """The negative class's counts, added episode by episode and merged over seeds (a log is read once)."""

    def __init__(self, negative: str) -> None:
        self.negative = negative
        self.n = self.gold_negative = self.pred_negative = self.both = 0

    def add(self, predicted: Sequence[str], gold: Sequence[str]) -> None:
        negative = self.negative
        for p, g in zip(predicted, gold, strict=True):
            self.n += 1
            self.gold_negative += g == negative
            self.pred_negative += p == negative
            self.both += p == negative and g == negative

    def merge(self, other: NegativeClassCounts) -> NegativeClassCounts:
        self.n += other.n
        self.gold_negative += other.gold_negative
        self.pred_negative += other.pred_negative
        self.both += other.both
        return self

    def to_dict(self) -> dict[str, Any]:
        n, pred_negative, gold_negative = self.n, self.pred_negative, self.gold_negative
        return {"label": self.negative, "n": n,
                "gold_share": gold_negative / n if n else 0.0, "pred_share": pred_negative / n if n else 0.0,
                "precision": self.both / pred_negative if pred_negative else None,
                "recall": self.both / gold_negative if gold_negative else None}


def negative_class_stats(pairs: Iterable[tuple[Sequence[str], Sequence[str]]], negative: str) -> dict[str, Any]:
    """Over (predicted, gold) label lists: the negative class's gold and predicted shares, precision, recall."""
    counts = NegativeClassCounts(negative)
    for predicted, gold in pairs:
        counts.add(predicted, gold)
    return counts.to_dict()
