"""Holm-Bonferroni within a declared family of tests (an ablation table; a method-vs-controls block).

A table that stars rows at raw p < 0.05 makes as many chances of a false star as it has rows;
Holm's step-down adjustment keeps the family-wise error at 5% without assuming independence.
"""

from __future__ import annotations

from collections.abc import Sequence

HOLM = "Holm-Bonferroni"


def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm-adjusted p-values in the input order; ``None`` (no test, e.g. one seed) stays ``None``
    and does not count towards the family size."""
    tested = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    m = len(tested)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, index) in enumerate(tested):
        # Step-down: the k-th smallest p is multiplied by (m - k) and never falls below the previous one.
        running = max(running, min(1.0, (m - rank) * p))
        adjusted[index] = running
    return adjusted


def family_caption(family: str, size: int) -> str:
    return f"{HOLM} within {family} ({size} test{'s' if size != 1 else ''})"
