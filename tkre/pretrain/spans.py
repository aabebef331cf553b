"""Span arithmetic: the relation span between two mentions, and random "irrelevant" spans."""

from __future__ import annotations

import torch

Span = tuple[int, int]  # [start, end)

# Per-position classes of an encoded text; they set the masking probability and the SCL spans.
SPECIAL, ORDINARY, ENTITY, RELATION = 0, 1, 2, 3
PAD_CLASS = -1


def relation_span(head: Span | None, tail: Span | None) -> Span | None:
    """Positions strictly between the two mentions, whichever comes first; None if empty or missing."""
    if head is None or tail is None:
        return None
    first, second = sorted((head, tail))
    start, end = first[1], second[0]
    return (start, end) if start < end else None


def position_classes(length: int, head: Span | None, tail: Span | None, special: list[bool],
                     between: Span | None = None) -> list[int]:
    """Class of each position: special tokens, entity mentions, the relation span, the rest ordinary.

    ``between`` is the relation span (default: strictly between the mentions); entity markers are
    passed as ``special`` and stay special inside it. Entity mentions win over the relation span
    where they overlap (nested or crossing mentions).
    """
    classes = [SPECIAL if special[i] else ORDINARY for i in range(length)]
    between = relation_span(head, tail) if between is None else between
    if between is not None:
        for i in range(*between):
            if not special[i]:
                classes[i] = RELATION
    for span in (head, tail):
        if span is not None:
            for i in range(*span):
                classes[i] = ENTITY
    return classes


def ordinary_runs(classes: list[int]) -> list[Span]:
    """Maximal runs of ORDINARY positions (outside mentions, relation span and special tokens)."""
    runs: list[Span] = []
    start = None
    for i, cls in enumerate([*classes, PAD_CLASS]):
        if cls == ORDINARY and start is None:
            start = i
        elif cls != ORDINARY and start is not None:
            runs.append((start, i))
            start = None
    return runs


def sample_irrelevant_spans(
    classes: list[int], count: int, max_len: int, generator: torch.Generator
) -> list[Span]:
    """``count`` random contiguous spans of 1..max_len ORDINARY positions (fewer if none fit).

    The length is drawn first; where no run is that long it shrinks to the longest run, and a
    start is then drawn uniformly over every place a span of that length fits.
    """
    runs = ordinary_runs(classes)
    if not runs or count <= 0:
        return []
    longest = max(end - start for start, end in runs)
    spans: list[Span] = []
    for _ in range(count):
        length = min(int(torch.randint(1, max_len + 1, (1,), generator=generator)), longest)
        starts = [s for start, end in runs for s in range(start, end - length + 1)]
        pick = starts[int(torch.randint(len(starts), (1,), generator=generator))]
        spans.append((pick, pick + length))
    return spans
