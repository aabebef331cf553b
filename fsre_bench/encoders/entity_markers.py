"""Entity-marked inputs and word-to-subword mapping, shared by every encoder-based method.

Markers are plain punctuation (Zhou & Chen, 2022, "typed entity marker (punct)"): ``@ head @`` and
``# tail #``, typed as ``@ * person * head @`` where the dataset has entity types. Punctuation
needs no new vocabulary, so a frozen encoder reads it sensibly and fine-tuning needs no resize.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fsre_bench.types import RelationInstance

HEAD_MARK, HEAD_TYPE_MARK = "@", "*"
TAIL_MARK, TAIL_TYPE_MARK = "#", "^"


@dataclass(frozen=True, slots=True)
class MarkedWords:
    """Words of a (possibly marked) sentence and where the entities and their start markers are."""

    words: tuple[str, ...]
    head: tuple[int, int]  # [start, end) word span of the head entity text
    tail: tuple[int, int]
    head_marker: int | None = None  # word index of the head's opening marker
    tail_marker: int | None = None


def plain_words(instance: RelationInstance) -> MarkedWords:
    return MarkedWords(instance.tokens, instance.head_span, instance.tail_span)


def marked_words(instance: RelationInstance, typed: bool = True) -> MarkedWords:
    """The sentence with both entities wrapped in markers (typed where the instance has types)."""
    return mark_spans(instance.tokens, instance.head_span, instance.tail_span,
                      instance.head_type if typed else None, instance.tail_type if typed else None)


def mark_spans(tokens: Sequence[str], head_span: tuple[int, int], tail_span: tuple[int, int],
               head_type: str | None = None, tail_type: str | None = None) -> MarkedWords:
    """``tokens`` with both [start, end) spans wrapped in markers, typed where a type is given.

    The one marking rule: inference (``marked_words``) and TKRE's pre-training texts both use it.
    """
    spans = {"head": head_span, "tail": tail_span}
    # inserts[i] = words placed before original token i, tagged with the role they open (if any).
    inserts: dict[int, list[tuple[str, str | None]]] = {}
    for role, (start, end) in spans.items():
        mark, type_mark = (HEAD_MARK, HEAD_TYPE_MARK) if role == "head" else (TAIL_MARK, TAIL_TYPE_MARK)
        entity_type = head_type if role == "head" else tail_type
        opening = [(mark, role)]
        if entity_type:
            opening += [(type_mark, None), (_readable_type(entity_type), None), (type_mark, None)]
        inserts.setdefault(start, []).extend(opening)
        inserts.setdefault(end, []).insert(0, (mark, None))  # a closing marker precedes any opening one
    words: list[str] = []
    new_index: dict[int, int] = {}
    marker_at: dict[str, int] = {}
    for index in range(len(tokens) + 1):
        for word, opens in inserts.get(index, []):
            if opens:
                marker_at[opens] = len(words)
            words.append(word)
        if index < len(tokens):
            new_index[index] = len(words)
            words.append(tokens[index])
    (hs, he), (ts, te) = spans["head"], spans["tail"]
    return MarkedWords(
        tuple(words),
        (new_index[hs], new_index[he - 1] + 1),
        (new_index[ts], new_index[te - 1] + 1),
        marker_at["head"],
        marker_at["tail"],
    )


def _readable_type(entity_type: str) -> str:
    return entity_type.replace("_", " ").lower()


def subword_spans(word_ids: Sequence[int | None], n_words: int) -> list[tuple[int, int] | None]:
    """For each word, the [start, end) range of its subword positions (None if truncated away)."""
    first: list[int | None] = [None] * n_words
    last: list[int | None] = [None] * n_words
    for position, word in enumerate(word_ids):
        if word is None:
            continue
        if first[word] is None:
            first[word] = position
        last[word] = position
    return [(f, e + 1) if f is not None and e is not None else None for f, e in zip(first, last, strict=True)]


def word_span_to_subwords(spans: list[tuple[int, int] | None], start: int, end: int) -> tuple[int, int] | None:
    """Subword range covering words [start, end), or None if any part was truncated."""
    covered = [spans[i] for i in range(start, end)]
    if not covered or any(s is None for s in covered):
        return None
    return covered[0][0], covered[-1][1]  # type: ignore[index]
