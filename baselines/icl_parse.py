"""Reading an option out of an LLM reply: the letter, "(b)", "Answer: B", the relation's name, or NOTA.

Anything else is unparsed (counted wrong and logged with parse_ok=false), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from baselines.icl_prompts import NOTA_TEXT, Option
from fsre_bench.types import NOTA

_PREAMBLE = re.compile(
    r"^(?:(?:the\s+)?(?:correct\s+|final\s+)?(?:answer|option|choice|relation|label)\s*(?:is|:|=|-)?\s*|option\s+)",
    re.IGNORECASE,
)
_LEADING_LABEL = re.compile(r"^[\s\"'*`(\[]*([A-Za-z]|\d{1,2})\s*(?:[.):\]\-,*\"'`]|$)")
_LABEL_AFTER_CUE = re.compile(r"\b(?:answer|option|choice)(?:\s*(?:is|:|=))*\s*[\"'*(\[]*([A-Z]|\d{1,2})\b", re.IGNORECASE)
_NOTA_WORDS = ("none of the above", "none of these", "no relation", "none", "nota")
_BATCH_LINE = re.compile(r"^\s*[*\-]*\s*(?:Q(?:uery)?\s*)?(\d{1,3})\s*[:.)\-]\s*(.*)$", re.IGNORECASE)


def parse_answer(text: str | None, options: Sequence[Option]) -> str | None:
    """The relation id (or NOTA) the reply names; None when it names none unambiguously."""
    if not text or not text.strip():
        return None
    by_label = {o.label.upper(): o.relation for o in options}
    first_line = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    head = _PREAMBLE.sub("", first_line).strip()
    match = _LEADING_LABEL.match(head)
    if match and match.group(1).upper() in by_label:
        return by_label[match.group(1).upper()]
    named = _match_by_name(text, options)
    if named is not None:
        return named
    cue = _LABEL_AFTER_CUE.search(text)
    if cue and cue.group(1).upper() in by_label:
        return by_label[cue.group(1).upper()]
    return None


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _match_by_name(text: str, options: Sequence[Option]) -> str | None:
    """The option whose name (or id) the reply contains; the longest wins when one name holds another."""
    reply = f" {_normalise(text)} "
    found: list[tuple[int, str]] = []
    for option in options:
        if option.relation == NOTA:
            continue
        for alias, min_length in ((option.name, 3), (option.relation, 2)):
            alias_norm = _normalise(alias)
            if len(alias_norm) >= min_length and f" {alias_norm} " in reply:
                found.append((len(alias_norm), option.relation))
    distinct = {rel for _, rel in found}
    if len(distinct) == 1:
        return distinct.pop()
    if found:
        found.sort(reverse=True)
        longest = [rel for length, rel in found if length == found[0][0]]
        if len(set(longest)) == 1 and all(_contained(found[0], other, options) for other in found[1:]):
            return longest[0]
        return None
    return _match_nota(reply, options)


def _contained(longest: tuple[int, str], other: tuple[int, str], options: Sequence[Option]) -> bool:
    """True when ``other``'s name is part of the longest match's name (e.g. "location" in "location of formation")."""
    if other[1] == longest[1]:
        return True
    names = {o.relation: _normalise(o.name) for o in options}
    return names.get(other[1], "") in names.get(longest[1], "")


def _match_nota(reply: str, options: Sequence[Option]) -> str | None:
    if not any(o.relation == NOTA for o in options):
        return None
    for phrase in (NOTA_TEXT, *_NOTA_WORDS):
        if f" {_normalise(phrase)} " in reply:
            return NOTA
    return None


def split_batch_reply(text: str | None, n_queries: int) -> list[str | None]:
    """Per query, the text after "Q<i>:" in a batched reply (None where the reply has no such line)."""
    answers: list[str | None] = [None] * n_queries
    for line in (text or "").splitlines():
        match = _BATCH_LINE.match(line)
        if match:
            index = int(match.group(1)) - 1
            if 0 <= index < n_queries and answers[index] is None:
                answers[index] = match.group(2).strip()
    return answers
