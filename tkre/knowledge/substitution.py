"""Offline SCDG ("schema" source): new sentences of R by swapping in another real example's entities.

A target sentence of R keeps its words; its head and tail mentions are replaced by the head and
tail strings of a donor example of R (with the same head and tail types where the dataset is
typed). The result is rendered in the SCDG line format and goes through the same parser and
filters as LLM output, so spans are recomputed from the new context exactly as for LLM lines.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from fsre_bench.types import RelationInstance
from tkre.knowledge.prompts import UNTYPED_DEMO_TYPE, SampleLine


def substitute_entities(target: RelationInstance, donor: RelationInstance) -> tuple[str, ...] | None:
    """``target``'s tokens with its first head/tail mentions replaced by ``donor``'s; None if they overlap."""
    head, tail = target.head_span, target.tail_span
    if head[0] < tail[1] and tail[0] < head[1]:
        return None
    donor_head = tuple(donor.tokens[i] for i in donor.head[0])
    donor_tail = tuple(donor.tokens[i] for i in donor.tail[0])
    (first, first_new), (second, second_new) = sorted([(head, donor_head), (tail, donor_tail)])
    tokens = target.tokens
    return (*tokens[: first[0]], *first_new, *tokens[first[1] : second[0]], *second_new, *tokens[second[1] :])


def demonstration_line(inst: RelationInstance, relation_name: str, typed: bool) -> SampleLine:
    """A real instance in the SCDG line format (untyped datasets show the placeholder type)."""
    head_type = inst.head_type if typed and inst.head_type else UNTYPED_DEMO_TYPE
    tail_type = inst.tail_type if typed and inst.tail_type else UNTYPED_DEMO_TYPE
    context = " ".join(inst.text.split())  # some datasets have whitespace-only tokens
    return SampleLine(relation_name, context, " ".join(inst.head_text.split()), head_type,
                      " ".join(inst.tail_text.split()), tail_type)


def substitution_lines(
    group: Sequence[RelationInstance], relation_name: str, typed: bool, count: int, rng: random.Random
) -> list[str]:
    """Up to ``count`` substituted samples of one relation, targets and donors drawn by ``rng``."""
    targets = list(group)
    rng.shuffle(targets)
    lines: list[str] = []
    for target in targets:
        if len(lines) >= count:
            break
        donors = [d for d in group if d.id != target.id and (not typed or (d.head_type, d.tail_type) == (target.head_type, target.tail_type))]
        if not donors:
            continue
        donor = donors[rng.randrange(len(donors))]
        tokens = substitute_entities(target, donor)
        if tokens is None:
            continue
        line = demonstration_line(donor, relation_name, typed)
        lines.append(SampleLine(relation_name, " ".join(" ".join(tokens).split()), line.head, line.head_type, line.tail,
                                line.tail_type).render())
    return lines
