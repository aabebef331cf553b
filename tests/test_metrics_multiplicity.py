"""Holm-Bonferroni within a family: step-down, monotone, capped at 1, untested rows left out of the count."""

from __future__ import annotations

import pytest

from fsre_bench.metrics.multiplicity import family_caption, holm_adjust


def test_holm_by_hand_in_the_input_order() -> None:
    # sorted: 0.01 (x3), 0.02 (x2), 0.04 (x1) -> 0.03, 0.04, 0.04 (never below the one before)
    assert holm_adjust([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert holm_adjust([0.03, 0.5]) == pytest.approx([0.06, 0.5])
    assert holm_adjust([0.6, 0.4]) == pytest.approx([0.8, 0.8])
    assert holm_adjust([0.9, 0.9]) == [1.0, 1.0]


def test_rows_without_a_test_stay_none_and_do_not_enlarge_the_family() -> None:
    assert holm_adjust([None, 0.02, None, 0.01]) == pytest.approx([None, 0.02, None, 0.02])
    assert holm_adjust([]) == [] and holm_adjust([None]) == [None]


def test_the_caption_names_the_family_and_its_size() -> None:
    assert family_caption("the ablation table", 3) == "Holm-Bonferroni within the ablation table (3 tests)"
    assert family_caption("one block", 1) == "Holm-Bonferroni within one block (1 test)"


def test_holm_step_down_matches_a_hand_computed_family_and_skips_untested_rows():
    # sorted 0.005, 0.01, 0.03, 0.04 -> x4, x3, x2, x1 = 0.02, 0.03, 0.06, 0.04 -> monotone: 0.02, 0.03, 0.06, 0.06
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm_adjust([None, 0.02, None, 0.5]) == [None, pytest.approx(0.04), None, pytest.approx(0.5)]
    assert holm_adjust([0.6, 0.9]) == pytest.approx([1.0, 1.0])  # capped at 1
