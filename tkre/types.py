"""Data types TKRE's steps hand each other (knowledge generation -> pre-training -> inference)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnowledgeExample:
    """One pre-training text: an explanation (EDKG), a synthetic sentence (SCDG) or a raw sentence.

    The "relation span" is the tokens strictly between the two entity mentions (whichever comes
    first); it is empty when they touch or overlap, or when one mention is missing.

    A marked text (``head_marker`` set) carries the entity markers inference reads
    (fsre_bench/encoders/entity_markers.py): the spans then cover the entity words inside the markers, and
    ``marker_words`` lists every marker word (opening, type and closing), which is never masked,
    never an "irrelevant" span and never part of the relation span.
    """

    relation: str  # relation id (label) this text is about
    tokens: tuple[str, ...]  # whitespace tokens of the text
    head_span: tuple[int, int] | None  # [start, end) of the subject mention in tokens, None if absent
    tail_span: tuple[int, int] | None  # [start, end) of the object mention
    source: str  # "explanation" | "synthetic" | "sentence"
    instance_id: str | None = None  # the RelationInstance it was built from, if any
    head_marker: int | None = None  # word index of the opening head marker (marked texts only)
    tail_marker: int | None = None
    marker_words: tuple[int, ...] = ()
