"""Pre-training texts with the entity markers inference reads, and the labelled sentences as texts.

Episodes and the K-shot classifier score start-marker states of marked sentences
(fsre_bench/training/marked_batches.py); an encoder pre-trained on unmarked texts never trains
those states. So every pre-training text is marked with the same rule (``mark_spans``), typed
where the instance it comes from has entity types (TKRE.md, "Align pre-training with use").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fsre_bench.encoders.entity_markers import mark_spans
from fsre_bench.types import RelationInstance
from tkre.knowledge.common import group_by_relation, seeded_rng, seeded_subset
from tkre.types import KnowledgeExample

LABELLED_SOURCE = "labelled"  # a labelled training sentence used as a pre-training text


def mark_example(example: KnowledgeExample, head_type: str | None = None,
                 tail_type: str | None = None) -> KnowledgeExample:
    """``example`` with both mentions wrapped in markers; unchanged when a mention is missing or already marked."""
    if example.head_span is None or example.tail_span is None or example.head_marker is not None:
        return example
    if _overlap(example.head_span, example.tail_span):
        return example  # markers inside markers would not be what inference reads either; leave it plain
    marked = mark_spans(example.tokens, example.head_span, example.tail_span, head_type, tail_type)
    words = {*range(marked.head_marker, marked.head[0]), marked.head[1],
             *range(marked.tail_marker, marked.tail[0]), marked.tail[1]}
    return KnowledgeExample(example.relation, marked.words, marked.head, marked.tail, example.source,
                            example.instance_id, marked.head_marker, marked.tail_marker, tuple(sorted(words)))


def mark_examples(examples: Sequence[KnowledgeExample],
                  instances: Mapping[str, RelationInstance]) -> list[KnowledgeExample]:
    """Mark every text, with the entity types of the instance it was built from (if any has them)."""
    out = []
    for example in examples:
        source = instances.get(example.instance_id or "")
        types = (source.head_type, source.tail_type) if source is not None else (None, None)
        out.append(mark_example(example, *types))
    return out


def labelled_sentences(instances: Sequence[RelationInstance], per_relation: int | None,
                       seed: int) -> list[KnowledgeExample]:
    """The labelled sentences as texts: all of them, or a seeded ``per_relation`` of each relation."""
    if per_relation is None:
        chosen = list(instances)
    else:
        chosen = [inst for rel, group in group_by_relation(instances).items()
                  for inst in seeded_subset(group, per_relation, seeded_rng(seed, "labelled", rel))]
    return [KnowledgeExample(inst.label, inst.tokens, inst.head_span, inst.tail_span, LABELLED_SOURCE, inst.id)
            for inst in chosen]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]
