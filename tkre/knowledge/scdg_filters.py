"""SCDG: split a reply into sample lines, parse the fixed format, and filter hard (each filter counted).

Filters, in the order they apply (a line is counted under the first that rejects it):
``unparseable`` (not the line format, or an empty field), ``wrong_relation`` (relation field not
exactly R, modulo whitespace and quotes), ``bad_type`` (a normalised type outside the allowed
list), ``head_not_in_context`` / ``tail_not_in_context`` (no case-insensitive occurrence aligned to
token boundaries; part of a longer word does not count), ``entity_overlap`` (head and tail are
the same tokens), ``duplicate_context`` (same context, compared on case-folded tokens, as a real
instance given to the run or an earlier accepted sample).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tkre.knowledge.prompts import SampleLine, normalise_type
from tkre.knowledge.tokens import Span, find_entity_in_context, tokenize, tokenize_with_offsets

FILTERS = (
    "unparseable", "wrong_relation", "bad_type", "head_not_in_context", "tail_not_in_context",
    "entity_overlap", "duplicate_context",
)

_SAMPLE_START = re.compile(r"Relation\s*:", flags=re.IGNORECASE)
_LINE = re.compile(
    r"Relation\s*:\s*(?P<relation>.+?)\s*\.\s*Context\s*:\s*(?P<context>.+?)\s*"
    r"Head\s+Entity\s*:\s*(?P<head>.+?)\s*\.?\s*Head\s+Type\s*:\s*(?P<head_type>[^.\n]+?)\s*\.?\s*"
    r"Tail\s+Entity\s*:\s*(?P<tail>.+?)\s*\.?\s*Tail\s+Type\s*:\s*(?P<tail_type>[^.\n]+?)\s*(?:\.|\n|$)",
    flags=re.IGNORECASE | re.DOTALL,
)
_QUOTES = "\"'`“”‘’"


def split_samples(reply: str) -> list[str]:
    """The candidate samples in a reply: each piece starting at a ``Relation:`` (preambles dropped)."""
    starts = [m.start() for m in _SAMPLE_START.finditer(reply)]
    if not starts:  # a reply with no sample at all (SmolLM2 often answers so): nothing to filter
        return []
    return [reply[a:b].strip() for a, b in zip(starts, [*starts[1:], len(reply)], strict=True)]


def parse_sample(text: str) -> SampleLine | None:
    """The fields of one sample (newlines inside it allowed); None when it is not the line format."""
    match = _LINE.search(text)
    if match is None:
        return None
    fields = {name: " ".join(value.split()) for name, value in match.groupdict().items()}
    fields["relation"] = fields["relation"].strip(_QUOTES).strip()
    fields["head"] = fields["head"].strip(_QUOTES).strip()
    fields["tail"] = fields["tail"].strip(_QUOTES).strip()
    if not all(fields.values()):
        return None
    return SampleLine(**fields)


def context_signature(text: str) -> str:
    """What duplicate detection compares: case-folded tokens (spacing and case do not matter)."""
    return " ".join(tok.casefold() for tok in tokenize(text))


@dataclass(frozen=True, slots=True)
class AcceptedSample:
    """A line that passed every filter, with its tokens and entity token spans."""

    line: str
    fields: SampleLine
    tokens: tuple[str, ...]
    head_span: Span
    tail_span: Span
    head_type: str | None  # the dataset's spelling; None for untyped datasets
    tail_type: str | None


class SampleFilter:
    """Applies the filters to lines of one run and counts every rejection by filter."""

    def __init__(self, allowed_types: Sequence[str], typed: bool, real_contexts: Iterable[str]) -> None:
        self.allowed = {normalise_type(t): t for t in allowed_types}
        self.typed = typed
        self.seen = {context_signature(text) for text in real_contexts}
        self.lines = 0
        self.rejected: collections.Counter[str] = collections.Counter()

    def check(self, text: str, relation_name: str) -> AcceptedSample | None:
        """Count and filter one candidate sample; the accepted one's context joins the seen set."""
        self.lines += 1
        reason, sample = self._evaluate(text, relation_name)
        if reason is not None:
            self.rejected[reason] += 1
            return None
        assert sample is not None
        self.seen.add(context_signature(sample.fields.context))
        return sample

    def _evaluate(self, text: str, relation_name: str) -> tuple[str | None, AcceptedSample | None]:
        fields = parse_sample(text)
        if fields is None:
            return "unparseable", None
        if " ".join(fields.relation.split()) != " ".join(relation_name.split()):
            return "wrong_relation", None
        head_type, tail_type = normalise_type(fields.head_type), normalise_type(fields.tail_type)
        if head_type not in self.allowed or tail_type not in self.allowed:
            return "bad_type", None
        offsets = tokenize_with_offsets(fields.context)
        head = find_entity_in_context(fields.context, offsets, fields.head)
        if head is None:
            return "head_not_in_context", None
        tail = find_entity_in_context(fields.context, offsets, fields.tail, avoid=head)
        if tail is None:
            located = find_entity_in_context(fields.context, offsets, fields.tail)
            return ("entity_overlap" if located is not None else "tail_not_in_context"), None
        if context_signature(fields.context) in self.seen:
            return "duplicate_context", None
        types = (self.allowed[head_type], self.allowed[tail_type]) if self.typed else (None, None)
        tokens = tuple(tok.text for tok in offsets)
        return None, AcceptedSample(text, fields, tokens, head, tail, *types)

    def stats(self) -> dict[str, object]:
        """Lines seen, rejections per filter, and each filter's share of all lines."""
        rejected = {name: self.rejected.get(name, 0) for name in FILTERS}
        shares = {name: round(count / self.lines, 4) if self.lines else 0.0 for name, count in rejected.items()}
        return {"lines": self.lines, "rejected": rejected, "rejected_share": shares}
