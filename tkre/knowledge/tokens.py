"""A deterministic word tokenizer that keeps character offsets, and span finding on its tokens.

Tokens are runs of word characters (``\\w+``) or single other non-space characters, so
"Apple's U.S.-based unit." -> Apple ' s U . S . - based unit . Every span here is a
[start, end) pair of token positions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Token:
    """One token and the [start, end) characters of the text it came from."""

    text: str
    start: int
    end: int


def tokenize_with_offsets(text: str) -> list[Token]:
    """Split ``text`` on whitespace and punctuation, keeping each token's character offsets."""
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_PATTERN.finditer(text)]


def tokenize(text: str) -> tuple[str, ...]:
    """The token strings of ``text`` (see ``tokenize_with_offsets``)."""
    return tuple(TOKEN_PATTERN.findall(text))


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def find_token_sequence(tokens: Sequence[str], needle: Sequence[str], avoid: Span | None = None) -> Span | None:
    """First case-insensitive occurrence of ``needle`` in ``tokens`` not overlapping ``avoid``; None if absent."""
    if not needle:
        return None
    folded = [t.casefold() for t in tokens]
    target = [t.casefold() for t in needle]
    width = len(target)
    for start in range(len(folded) - width + 1):
        span = (start, start + width)
        if folded[start : start + width] == target and (avoid is None or not _overlaps(span, avoid)):
            return span
    return None


def char_span_to_token_span(tokens: Sequence[Token], start: int, end: int) -> Span | None:
    """The tokens exactly covering characters [start, end); None unless both ends fall on token boundaries.

    A character span that starts or ends inside a token (an entity that is part of a longer word,
    "art" in "party") has no token span: we count it as absent rather than widen it to the word.
    """
    first = next((i for i, tok in enumerate(tokens) if tok.start == start), None)
    last = next((i for i, tok in enumerate(tokens) if tok.end == end), None)
    if first is None or last is None or last < first:
        return None
    return (first, last + 1)


def find_entity_in_context(
    context: str, tokens: Sequence[Token], entity: str, avoid: Span | None = None
) -> Span | None:
    """Token span of the first token-aligned, case-insensitive occurrence of ``entity`` in ``context``.

    Occurrences inside a longer word, or overlapping the token span ``avoid`` (the other entity),
    are skipped; None when no occurrence qualifies.
    """
    entity = entity.strip()
    if not entity:
        return None
    pattern = re.compile(re.escape(entity), flags=re.IGNORECASE)
    match = pattern.search(context)
    while match is not None:  # overlapping occurrences too: search again one character later
        span = char_span_to_token_span(tokens, match.start(), match.end())
        if span is not None and (avoid is None or not _overlaps(span, avoid)):
            return span
        match = pattern.search(context, match.start() + 1)
    return None
