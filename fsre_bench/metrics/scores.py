"""Accuracy and micro-F1 excluding the negative label, from per-unit sufficient statistics.

Every metric here is a function of five counts summed over units (an episode, or a query), so a
bootstrap can resample units and recompute any metric from summed counts without re-reading
predictions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

# Column order of a counts row.
CORRECT, TOTAL, TRUE_POS, PRED_POS, GOLD_POS = range(5)

METRICS = ("accuracy", "micro_f1")


@dataclass(frozen=True)
class UnitCounts:
    """Counts of one unit: correct/total for accuracy; tp/pred_pos/gold_pos for micro-F1."""

    correct: int
    total: int
    true_pos: int
    pred_pos: int
    gold_pos: int

    def as_row(self) -> list[int]:
        return [self.correct, self.total, self.true_pos, self.pred_pos, self.gold_pos]


def count_units(predicted: Sequence[str], gold: Sequence[str], negative: frozenset[str] | set[str]) -> UnitCounts:
    """Counts for one unit; labels in ``negative`` (NOTA, "Other", "no_relation") are excluded from F1."""
    if len(predicted) != len(gold):
        raise ValueError(f"{len(predicted)} predictions for {len(gold)} gold labels")
    correct = sum(p == g for p, g in zip(predicted, gold, strict=True))
    pred_pos = sum(p not in negative for p in predicted)
    gold_pos = sum(g not in negative for g in gold)
    true_pos = sum(p == g and g not in negative for p, g in zip(predicted, gold, strict=True))
    return UnitCounts(correct, len(gold), true_pos, pred_pos, gold_pos)


def metric_from_counts(metric: str, counts: np.ndarray) -> np.ndarray:
    """Metric value(s) from summed counts of shape (..., 5); 0 where undefined (no denominator)."""
    counts = np.asarray(counts, dtype=np.float64)
    if metric == "accuracy":
        return _safe_div(counts[..., CORRECT], counts[..., TOTAL])
    if metric == "micro_f1":
        tp, pred_pos, gold_pos = counts[..., TRUE_POS], counts[..., PRED_POS], counts[..., GOLD_POS]
        # F1 = 2tp / (pred_pos + gold_pos): the same as 2PR/(P+R), defined whenever either is > 0.
        return _safe_div(2.0 * tp, pred_pos + gold_pos)
    raise ValueError(f"unknown metric {metric!r}; known: {', '.join(METRICS)}")


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den > 0)
    return out if out.shape else float(out)


def accuracy(predicted: Sequence[str], gold: Sequence[str]) -> float:
    """Share of exact matches (NOTA is its own class)."""
    return float(metric_from_counts("accuracy", np.array(count_units(predicted, gold, set()).as_row())))


def micro_f1_excluding(
    predicted: Sequence[str], gold: Sequence[str], negative: set[str] | frozenset[str]
) -> tuple[float, float, float]:
    """(precision, recall, F1) over non-negative labels, as in the TACRED / SemEval literature."""
    c = count_units(predicted, gold, negative)
    precision = c.true_pos / c.pred_pos if c.pred_pos else 0.0
    recall = c.true_pos / c.gold_pos if c.gold_pos else 0.0
    f1 = 2 * c.true_pos / (c.pred_pos + c.gold_pos) if (c.pred_pos + c.gold_pos) else 0.0
    return precision, recall, f1
