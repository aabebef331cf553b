"""Leaderboard row labels that keep numerics modes apart: a row never mixes portable and native results.

Where a table has one method label in both modes, the portable row keeps the plain label and the native
one is marked; a label in one mode only (all committed results before the mode existed) stays as it was.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from fsre_bench.numerics import PORTABLE
from fsre_bench.results import ResultFile


def numerics_row_labels(rows: Sequence[ResultFile]) -> dict[int, str]:
    """Each row's leaderboard label, keyed by ``id(row)``."""
    modes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in rows:
        modes[(row.protocol, row.dataset, row.method_label)].add(row.numerics)
    labels = {}
    for row in rows:
        both = len(modes[(row.protocol, row.dataset, row.method_label)]) > 1
        marked = both and row.numerics != PORTABLE
        labels[id(row)] = f"{row.method_label} ({row.numerics} numerics)" if marked else row.method_label
    return labels
