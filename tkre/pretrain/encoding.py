"""Tokenise pre-split words and carry the word-level mention spans onto subword positions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from fsre_bench.errors import ConfigError, DataError
from tkre.pretrain.spans import Span, position_classes, relation_span
from tkre.types import KnowledgeExample


@dataclass(frozen=True)
class EncodedExample:
    """One text as model input: ids with special tokens, per-position classes, subword spans."""

    input_ids: tuple[int, ...]
    classes: tuple[int, ...]
    head: Span | None
    tail: Span | None
    relation: Span | None  # subword relation span (None = empty); between the marker blocks of a marked text
    relation_index: int  # index into the pre-training relation list (the anchor row)
    source_index: int  # position of the KnowledgeExample in the caller's list
    markers: tuple[int, int] | None = None  # subword positions of the opening head and tail markers


@dataclass
class EncodingReport:
    """What tokenisation did to the inputs (counts go into the run info)."""

    kept: int = 0
    trimmed: int = 0  # longer than max_length; a window around the mentions was kept
    dropped_too_long: int = 0  # the mentions alone do not fit in max_length
    dropped_empty: int = 0  # no subword tokens at all
    no_relation_span: int = 0
    marked: int = 0  # texts whose two opening markers survived tokenisation and the window
    tokens: int = 0  # real (non-pad) tokens including special tokens
    by_source: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def validate_examples(examples: Sequence[KnowledgeExample], relations: Sequence[str]) -> dict[str, int]:
    """Check relations and spans; return relation id -> anchor row. Raises DataError/ConfigError."""
    if len(set(relations)) != len(relations):
        raise ConfigError("pretrain_encoder: `relations` has duplicates; pass each relation id once")
    index = {rel: i for i, rel in enumerate(relations)}
    for pos, ex in enumerate(examples):
        where = f"knowledge example #{pos} (instance {ex.instance_id!r}, source {ex.source!r})"
        if ex.relation not in index:
            raise DataError(f"{where}: relation {ex.relation!r} is not in `relations`; add it or drop the example")
        for name, span in (("head_span", ex.head_span), ("tail_span", ex.tail_span)):
            if span is not None and not 0 <= span[0] < span[1] <= len(ex.tokens):
                raise DataError(
                    f"{where}: {name} {span} is not a non-empty [start, end) inside its {len(ex.tokens)} tokens"
                )
    return index


def encode_examples(
    examples: Sequence[KnowledgeExample], relations: Sequence[str], tokenizer: Any, max_length: int
) -> tuple[list[EncodedExample], EncodingReport]:
    """Tokenise every example (fast tokenizer, ``is_split_into_words``) and map spans to subwords."""
    if not getattr(tokenizer, "is_fast", False):
        raise ConfigError("pretrain: the tokenizer must be a fast (Rust) tokenizer, needed for word_ids()")
    index = validate_examples(examples, relations)
    report = EncodingReport()
    window = max_length - tokenizer.num_special_tokens_to_add(pair=False)
    batch = tokenizer([list(ex.tokens) for ex in examples], is_split_into_words=True, add_special_tokens=True)
    encoded: list[EncodedExample] = []
    for pos, ex in enumerate(examples):
        item = _encode_one(ex, pos, batch["input_ids"][pos], batch.word_ids(pos), index[ex.relation], window, report)
        if item is not None:
            encoded.append(item)
            report.kept += 1
            report.tokens += len(item.input_ids)
            report.by_source[ex.source] = report.by_source.get(ex.source, 0) + 1
            report.no_relation_span += item.relation is None
            report.marked += item.markers is not None
    return encoded, report


def _word_starts(word_ids: list[int | None], n_words: int) -> list[int]:
    """Subword index where each word starts, plus the total at the end (words may have 0 subwords)."""
    counts = [0] * n_words
    for wid in word_ids:
        if wid is not None:
            counts[wid] += 1
    return [0, *accumulate(counts)]


def _subword_span(span: tuple[int, int] | None, starts: list[int]) -> Span | None:
    if span is None:
        return None
    start, end = starts[span[0]], starts[span[1]]
    return (start, end) if start < end else None  # a mention that tokenises to nothing is absent


def _encode_one(
    ex: KnowledgeExample,
    pos: int,
    full_ids: list[int],
    word_ids: list[int | None],
    relation_index: int,
    window: int,
    report: EncodingReport,
) -> EncodedExample | None:
    """Keep the special tokens around the text and a window of its subwords that holds the mentions."""
    text_positions = [i for i, wid in enumerate(word_ids) if wid is not None]
    if not text_positions:
        report.dropped_empty += 1
        return None
    first, last = text_positions[0], text_positions[-1] + 1  # the text sits between leading/trailing specials
    ids = full_ids[first:last]
    starts = _word_starts(word_ids, len(ex.tokens))
    head, tail = _subword_span(ex.head_span, starts), _subword_span(ex.tail_span, starts)
    outer_head, outer_tail = _subword_span(_outer(ex, "head"), starts), _subword_span(_outer(ex, "tail"), starts)
    offset = _window_start(len(ids), [s for s in (outer_head, outer_tail) if s is not None], window)
    if offset is None:
        report.dropped_too_long += 1
        return None
    if len(ids) > window:
        report.trimmed += 1
        ids = ids[offset : offset + window]
    full = [*full_ids[:first], *ids, *full_ids[last:]]
    special = [True] * first + [False] * len(ids) + [True] * (len(full_ids) - last)
    shift = first - offset
    move = lambda span: None if span is None else (span[0] + shift, span[1] + shift)  # noqa: E731
    for word in ex.marker_words:  # markers are never masked, never "irrelevant", never relation words
        for position in range(starts[word] + shift, starts[word + 1] + shift):
            if first <= position < first + len(ids):
                special[position] = True
    head, tail, outer_head, outer_tail = move(head), move(tail), move(outer_head), move(outer_tail)
    between = relation_span(outer_head, outer_tail)
    return EncodedExample(
        input_ids=tuple(full),
        classes=tuple(position_classes(len(full), head, tail, special, between)),
        head=head,
        tail=tail,
        relation=between,
        relation_index=relation_index,
        source_index=pos,
        markers=_marker_positions(ex, starts, shift),
    )


def _outer(ex: KnowledgeExample, role: str) -> tuple[int, int] | None:
    """Word span of a mention with its markers (opening marker to closing marker); the mention if unmarked."""
    span = ex.head_span if role == "head" else ex.tail_span
    marker = ex.head_marker if role == "head" else ex.tail_marker
    if span is None or marker is None:
        return span
    return (marker, span[1] + 1)


def _marker_positions(ex: KnowledgeExample, starts: list[int], shift: int) -> tuple[int, int] | None:
    """Subword positions of the two opening markers; None if unmarked or a marker tokenises to nothing."""
    if ex.head_marker is None or ex.tail_marker is None:
        return None
    positions = []
    for word in (ex.head_marker, ex.tail_marker):
        if starts[word] == starts[word + 1]:
            return None
        positions.append(starts[word] + shift)
    return positions[0], positions[1]


def _window_start(n_ids: int, mentions: list[Span], window: int) -> int | None:
    """Start of a ``window``-long slice that keeps every mention whole, centred on them; None if impossible."""
    if n_ids <= window:
        return 0
    if not mentions:
        return 0  # no mention to keep: plain right truncation
    lo = min(span[0] for span in mentions)
    hi = max(span[1] for span in mentions)
    if hi - lo > window:
        return None
    start = lo - (window - (hi - lo)) // 2
    return max(0, min(start, n_ids - window))
