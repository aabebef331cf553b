"""The scoring unit's five counts (correct, n, true positives, predicted and gold positives), per episode or
per query, with NOTA and the dataset's negative label both outside micro-F1."""

from __future__ import annotations

import numpy as np

from fsre_bench.results import negative_labels, unit_counts
from fsre_bench.types import NOTA

RECORDS = [{"pred": ["A", "Other", "B"], "gold": ["A", "A", "Other"]}, {"pred": [NOTA], "gold": ["B"]}]


def test_the_negative_labels_are_nota_and_the_datasets_own() -> None:
    assert negative_labels("Other") == {NOTA, "Other"}
    assert negative_labels(None) == {NOTA}


def test_one_row_per_episode_counted_by_hand() -> None:
    rows = unit_counts(RECORDS, negative_labels("Other"), per_query=False)
    # episode 1: 1 correct of 3; tp 1 (A); predicted positives A, B; gold positives A, A
    assert rows.tolist() == [[1, 3, 1, 2, 2], [0, 1, 0, 0, 1]]
    assert rows.dtype == np.int64


def test_per_query_rows_sum_to_the_per_episode_rows() -> None:
    negative = negative_labels("Other")
    per_query = unit_counts(RECORDS, negative, per_query=True)
    assert per_query.shape == (4, 5) and per_query[:, 1].tolist() == [1, 1, 1, 1]
    assert per_query.sum(0).tolist() == unit_counts(RECORDS, negative, per_query=False).sum(0).tolist()
    assert unit_counts([], negative, per_query=True).shape == (0, 5)
