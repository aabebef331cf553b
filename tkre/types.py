"""Data types TKRE's steps hand each other (knowledge generation -> pre-training -> inference)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class KnowledgeExample:
    """One pre-training text: an explanation (EDKG), a synthetic sentence (SCDG) or a raw sentence.

    The "relation span" is the tokens strictly between the two entity mentions (whichever comes
    first); it is empty when they touch or overlap, or when one mention is missing.
    """

    relation: str  # relation id (label) this text is about
    tokens: tuple[str, ...]  # whitespace tokens of the text
    head_span: tuple[int, int] | None  # [start, end) of the subject mention in tokens, None if absent
    tail_span: tuple[int, int] | None  # [start, end) of the object mention
    source: str  # "explanation" | "synthetic" | "sentence"
    instance_id: str | None = None  # the RelationInstance it was built from, if any
