"""Scores against hand-computed values: accuracy with NOTA, micro-F1 excluding the negative class, counts."""

from __future__ import annotations

import numpy as np
import pytest

from fsre_bench.metrics import accuracy, count_units, metric_from_counts, micro_f1_excluding
from fsre_bench.types import NOTA


def test_accuracy_counts_nota_as_its_own_class():
    assert accuracy(["a", NOTA, "b", "c"], ["a", NOTA, "c", "c"]) == pytest.approx(0.75)


def test_micro_f1_excluding_other_by_hand():
    pred = ["A", "Other", "B", "A", "Other", "B"]
    gold = ["A", "A", "B", "Other", "Other", "A"]
    # non-negative predictions: A, B, A, B (4), correct among them: A(0), B(2) -> tp=2
    # non-negative gold: A, A, B, A (4)      -> P = 2/4, R = 2/4, F1 = 0.5
    p, r, f1 = micro_f1_excluding(pred, gold, {"Other"})
    assert (p, r, f1) == pytest.approx((0.5, 0.5, 0.5))


def test_micro_f1_asymmetric_precision_recall():
    pred = ["A", "Other", "Other", "Other"]
    gold = ["A", "B", "C", "Other"]
    p, r, f1 = micro_f1_excluding(pred, gold, {"Other"})
    assert p == pytest.approx(1.0) and r == pytest.approx(1 / 3) and f1 == pytest.approx(0.5)


def test_f1_is_zero_without_positives():
    assert micro_f1_excluding(["Other"], ["Other"], {"Other"}) == (0.0, 0.0, 0.0)


def test_metric_from_counts_matches_direct_computation():
    units = [count_units(["A", "B"], ["A", "Other"], {"Other"}), count_units(["Other"], ["B"], {"Other"})]
    summed = np.array([u.as_row() for u in units]).sum(0)
    assert metric_from_counts("accuracy", summed) == pytest.approx(1 / 3)
    # tp=1, pred_pos=2, gold_pos=2 -> F1 = 2*1/(2+2)
    assert metric_from_counts("micro_f1", summed) == pytest.approx(0.5)
