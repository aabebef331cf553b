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
        if per_query:
            rows.extend(count_units([p], [g], negative).as_row() for p, g in zip(record["pred"], record["gold"], strict=True))
        else:
            rows.append(count_units(record["pred"], record["gold"], negative).as_row())
    return np.asarray(rows, dtype=np.int64).reshape(-1, 5)
