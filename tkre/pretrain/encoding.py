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
    relation: Span | None  # subword relation span (None = empty)
    relation_index: int  # index into the pre-training relation list (the anchor row)
    source_index: int  # position of the KnowledgeExample in the caller's list


@dataclass
class EncodingReport:
    """What tokenisation did to the inputs (counts go into the run info)."""

    kept: int = 0
    trimmed: int = 0  # longer than max_length; a window around the mentions was kept
    dropped_too_long: int = 0  # the mentions alone do not fit in max_length
    dropped_empty: int = 0  # no subword tokens at all
    no_relation_span: int = 0
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
    offset = _window_start(len(ids), [s for s in (head, tail) if s is not None], window)
    if offset is None:
        report.dropped_too_long += 1
        return None
    if len(ids) > window:
        report.trimmed += 1
        ids = ids[offset : offset + window]
    full = [*full_ids[:first], *ids, *full_ids[last:]]
    special = [True] * first + [False] * len(ids) + [True] * (len(full_ids) - last)
    shift = first - offset
    head = None if head is None else (head[0] + shift, head[1] + shift)
    tail = None if tail is None else (tail[0] + shift, tail[1] + shift)
    return EncodedExample(
        input_ids=tuple(full),
        classes=tuple(position_classes(len(full), head, tail, special)),
        head=head,
        tail=tail,
        relation=relation_span(head, tail),
        relation_index=relation_index,
        source_index=pos,
    )


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
