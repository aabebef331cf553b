"""EDKG: explanations of why the subject has relation R with the object, from an LLM or from templates.

Spans in an LLM explanation: the subject and the object are tokenised like the explanation and
found by case-insensitive token-sequence match, first occurrence (the object's first occurrence
that does not overlap the subject's). An entity the explanation never names gets span None; the
example is still kept (its MSLM relation span is then empty) and the stats count how often.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from fsre_bench.llm.config import LLMConfig
from fsre_bench.types import Relation, RelationInstance
from tkre.knowledge.artifact import KnowledgeArtifact
from tkre.knowledge.common import (
    Records,
    base_header,
    check_positive,
    group_by_relation,
    load_or_generate,
    relation_of,
    resolve_source,
    seeded_rng,
    seeded_subset,
)
from tkre.knowledge.llm_backend import llm_session
from tkre.knowledge.prompts import EXPLANATION_MAX_TOKENS, explanation_prompt
from tkre.knowledge.templates import TEMPLATES, schema_explanation
from tkre.knowledge.tokens import Span, find_token_sequence, tokenize

_PREAMBLES = (
    re.compile(r"^[*#>\s]+"),  # markdown emphasis, headings, quote marks
    re.compile(r"^(?:sure|certainly|of course|absolutely|okay|ok)\s*[!.,]+\s*", re.IGNORECASE),
    re.compile(r"^here(?:'s|’s| is| are)\b[^:\n]*:\s*", re.IGNORECASE),
    re.compile(r"^here(?:'s|’s| is| are)\s+(?:an?\s+|the\s+|my\s+)?(?:short\s+|brief\s+)?"
               r"(?:explanation|answer|paragraph)\b[^.!\n]*[.!]\s*", re.IGNORECASE),
    re.compile(r"^(?:explanation|answer|reason|response)\s*:\s*\**\s*", re.IGNORECASE),
)


def clean_explanation(reply: str) -> tuple[str, bool]:
    """(the reply without chat preambles, whitespace collapsed; whether a preamble was removed)."""
    text = reply.strip()
    stripped = False
    changed = True
    while changed and text:
        changed = False
        for pattern in _PREAMBLES:
            new = pattern.sub("", text, count=1)
            if new != text:
                stripped = stripped or pattern is not _PREAMBLES[0]
                text, changed = new, True
    text = " ".join(text.split()).strip("\"'“” ")
    return text, stripped


def locate_entities(tokens: Sequence[str], subject: str, obj: str) -> tuple[Span | None, Span | None]:
    """First case-insensitive token-sequence matches of subject, then of object (not overlapping it)."""
    head = find_token_sequence(tokens, tokenize(subject))
    return head, find_token_sequence(tokens, tokenize(obj), avoid=head)


def _prompt_strings(inst: RelationInstance) -> tuple[str, str, str]:
    """Sentence, subject and object with whitespace-only tokens (some datasets have them) dropped."""
    return tuple(" ".join(text.split()) for text in (inst.text, inst.head_text, inst.tail_text))  # type: ignore[return-value]


def _record(inst: RelationInstance, text: str, tokens: tuple[str, ...], spans: tuple[Span | None, Span | None],
            prefix: bool, **extra: Any) -> dict[str, Any]:
    shift = len(inst.tokens) if prefix else 0
    full = (*inst.tokens, *tokens) if prefix else tokens
    head, tail = (None if s is None else [s[0] + shift, s[1] + shift] for s in spans)
    return {
        "relation": inst.label, "source": "explanation", "instance_id": inst.id, "text": text,
        "head": inst.head_text, "tail": inst.tail_text, "tokens": list(full), "head_span": head, "tail_span": tail,
        **extra,
    }


def schema_records(chosen: Sequence[RelationInstance], relations: Mapping[str, Relation], seed: int,
                   prefix: bool) -> tuple[Records, dict[str, Any]]:
    """Templated explanations (one seeded template per example)."""
    records = []
    for inst in chosen:
        index = seeded_rng(seed, "template", inst.id).randrange(len(TEMPLATES))
        made = schema_explanation(inst, relation_of(relations, inst.label), index)
        records.append(_record(inst, " ".join(made.tokens), made.tokens, (made.head_span, made.tail_span),
                               prefix, template=made.template))
    return records, {"requests": 0, "failed_requests": 0, "empty_replies": 0, "preambles_stripped": 0}


def llm_records(chosen: Sequence[RelationInstance], relations: Mapping[str, Relation], config: LLMConfig,
                prefix: bool) -> tuple[Records, dict[str, Any]]:
    """One explanation request per example, all through one client (batched, cached)."""
    from fsre_bench.llm.client import ChatRequest

    requests = [
        ChatRequest.user(explanation_prompt(*_prompt_strings(inst), relation_of(relations, inst.label)),
                         max_tokens=EXPLANATION_MAX_TOKENS)
        for inst in chosen
    ]
    with llm_session(config) as client:
        results = list(client.map(requests))
        usage = client.usage_dict()
    records: Records = []
    counts = {"requests": len(requests), "failed_requests": 0, "empty_replies": 0, "preambles_stripped": 0}
    errors: list[str] = []
    for inst, request, result in zip(chosen, requests, results, strict=True):
        if not result.ok:
            counts["failed_requests"] += 1
            errors.append(str(result.error))
            continue
        text, stripped = clean_explanation(result.text or "")
        counts["preambles_stripped"] += stripped
        if not text:
            counts["empty_replies"] += 1
            continue
        tokens = tokenize(text)
        spans = locate_entities(tokens, inst.head_text, inst.tail_text)
        records.append(_record(inst, text, tokens, spans, prefix, reply=result.text, prompt_hash=request.prompt_hash))
    return records, {**counts, "failure_errors": errors[:5], "llm_usage": usage}


def _span_stats(records: Records, chosen: Sequence[RelationInstance]) -> dict[str, Any]:
    head = sum(r["head_span"] is not None for r in records)
    tail = sum(r["tail_span"] is not None for r in records)
    both = [r for r in records if r["head_span"] is not None and r["tail_span"] is not None]
    between = sum(min(r["head_span"][1], r["tail_span"][1]) < max(r["head_span"][0], r["tail_span"][0]) for r in both)
    per_relation: dict[str, dict[str, int]] = {}
    for inst in chosen:
        per_relation.setdefault(inst.label, {"selected": 0, "kept": 0})["selected"] += 1
    for r in records:
        per_relation[r["relation"]]["kept"] += 1
    return {
        "examples": len(records), "head_found": head, "tail_found": tail, "both_found": len(both),
        "relation_span_nonempty": between, "per_relation": per_relation,
        "relations_without_examples": [rel for rel, c in per_relation.items() if c["kept"] == 0],
    }


def generate_explanations(
    instances: Sequence[RelationInstance], relations: Mapping[str, Relation], *, source: str,
    llm: LLMConfig | None, dataset: str, per_relation: int = 6, seed: int = 0, prefix_sentence: bool = False,
) -> KnowledgeArtifact:
    """EDKG for up to ``per_relation`` seeded examples of each relation; reused from its file if complete."""
    check_positive(per_relation=per_relation)
    config, identity, label = resolve_source(source, llm)
    groups = group_by_relation(instances)
    chosen = [inst for rel, group in groups.items()
              for inst in seeded_subset(group, per_relation, seeded_rng(seed, "explain", rel))]
    params = {"per_relation": per_relation, "prefix_sentence": bool(prefix_sentence)}
    header = base_header("explanations", dataset, groups, relations, identity, label, seed, params)

    def generate() -> tuple[Records, dict[str, Any]]:
        if config is None:
            records, counts = schema_records(chosen, relations, seed, prefix_sentence)
        else:
            records, counts = llm_records(chosen, relations, config, prefix_sentence)
        return records, {"relations": len(groups), "selected": len(chosen), **counts, **_span_stats(records, chosen)}

    return load_or_generate(header, generate)
