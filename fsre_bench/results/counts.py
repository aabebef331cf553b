"""The scoring unit's counts, defined once for the runner (CIs) and the reports (paired Δ)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from fsre_bench.metrics import count_units
from fsre_bench.types import NOTA


def negative_labels(dataset_negative_label: str | None) -> frozenset[str]:
    """Labels excluded from micro-F1: NOTA and the dataset's own negative label ("Other", "no_relation")."""
    return frozenset({NOTA, dataset_negative_label or NOTA})


def unit_counts(records: Sequence[dict[str, Any]], negative: frozenset[str], per_query: bool) -> np.ndarray:
    """Rows of 5 counts: one per episode, or one per query (K-shot: one episode, many queries)."""
    rows = []
    for record in records:
        if per_query:  # count_units of one query, inlined: K-shot logs hold thousands per split
            rows.extend(_query_row(p, g, negative) for p, g in zip(record["pred"], record["gold"], strict=True))
        else:
            rows.append(count_units(record["pred"], record["gold"], negative).as_row())
    return np.asarray(rows, dtype=np.int64).reshape(-1, 5)


def _query_row(predicted: str, gold: str, negative: frozenset[str]) -> tuple[int, int, int, int, int]:
    """``count_units([predicted], [gold], negative).as_row()`` without building a UnitCounts per query."""
    correct = predicted == gold
    return (int(correct), 1, int(correct and gold not in negative), int(predicted not in negative),
            int(gold not in negative))
