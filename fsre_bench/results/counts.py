"""The scoring unit's counts, defined once for the runner (CIs) and the reports (paired Δ)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from fsre_bench.metrics import count_units
from fsre_bench.types import NOTA


def negative_labels(dataset_negative_label: str | None) -> frozenset[str]:
    """Labels excluded from micro-F1: NOTA and the dataset's own negative label ("Other", "no_relation")."""
    return frozenset({NOTA, dataset_negative_label or NOTA})


def unit_counts(records: Iterable[dict[str, Any]], negative: frozenset[str], per_query: bool) -> np.ndarray:
    """Rows of 5 counts: one per episode, or one per query (K-shot: one episode, many queries)."""
    rows: list[Sequence[int]] = []
    for record in records:
        rows.extend(unit_rows(record, negative, per_query))
    return counts_array(rows)


def unit_rows(record: dict[str, Any], negative: frozenset[str], per_query: bool) -> list[Sequence[int]]:
    """One log record's rows of ``unit_counts`` (so a single pass over a log can collect them)."""
    if per_query:  # count_units of one query, inlined: K-shot logs hold thousands per split
        return [_query_row(p, g, negative) for p, g in zip(record["pred"], record["gold"], strict=True)]
    return [count_units(record["pred"], record["gold"], negative).as_row()]


def counts_array(rows: Sequence[Sequence[int]]) -> np.ndarray:
    """Rows of 5 counts as the (n, 5) int64 array the statistics take (shape (0, 5) for none)."""
    return np.asarray(rows, dtype=np.int64).reshape(-1, 5)


def _query_row(predicted: str, gold: str, negative: frozenset[str]) -> tuple[int, int, int, int, int]:
    """``count_units([predicted], [gold], negative).as_row()`` without building a UnitCounts per query."""
    correct = predicted == gold
    return (int(correct), 1, int(correct and gold not in negative), int(predicted not in negative),
            int(gold not in negative))
