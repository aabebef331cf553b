"""SCDG: schema-constrained synthetic examples of each relation, from an LLM or by entity substitution.

Rounds are bounded: each relation still short of ``per_relation`` accepted samples gets one more
request per round, at most ``max_rounds`` in all (the reference loops until it has enough). A
retry is a distinct cached request: another seeded draw and order of demonstrations, and its
round number as the sample index. Relations that end with no valid sample are listed in stats.

Types: a typed dataset (``entity_types`` given, instances carry head/tail types) offers its own
types and its synthetic instances carry them. An untyped one offers ``COARSE_ENTITY_TYPES``, shows
``OTHER`` in demonstrations, checks the generated types against that list, and leaves the
synthetic instances untyped (as the real ones are); the parsed types stay in the artifact file.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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
    share,
)
from tkre.knowledge.llm_backend import llm_session
from tkre.knowledge.prompts import COARSE_ENTITY_TYPES, SYNTHETIC_TOKENS_PER_SAMPLE, synthetic_prompt
from tkre.knowledge.scdg_filters import AcceptedSample, SampleFilter, split_samples
from tkre.knowledge.substitution import demonstration_line, substitution_lines

Producer = Callable[[list["RelationState"], int], dict[str, list[str]]]


@dataclass
class RelationState:
    """One relation's progress through the rounds."""

    relation: Relation
    group: list[RelationInstance]
    kept: list[tuple[AcceptedSample, int]] = field(default_factory=list)  # (sample, round it came from)
    rounds: int = 0
    lines: int = 0
    accepted: int = 0


@dataclass(frozen=True)
class SynthesisPlan:
    """The settings one generation runs with."""

    per_relation: int
    demonstrations: int
    max_rounds: int
    seed: int
    typed: bool
    allowed_types: tuple[str, ...]


def run_rounds(states: list[RelationState], produce: Producer, sample_filter: SampleFilter,
               plan: SynthesisPlan, counts: collections.Counter[str]) -> None:
    """Request, filter and keep samples until every relation has enough or the rounds run out."""
    for round_index in range(plan.max_rounds):
        pending = [state for state in states if len(state.kept) < plan.per_relation]
        if not pending:
            return
        produced = produce(pending, round_index)
        for state in pending:
            state.rounds += 1
            for text in produced.get(state.relation.id, []):
                state.lines += 1
                sample = sample_filter.check(text, state.relation.name)
                if sample is None:
                    continue
                state.accepted += 1
                if len(state.kept) < plan.per_relation:
                    state.kept.append((sample, round_index))
                else:
                    counts["surplus"] += 1  # valid, but the relation already has enough


def llm_producer(client: Any, plan: SynthesisPlan, counts: collections.Counter[str]) -> Producer:
    """One SCDG request per pending relation per round, sent together through the client."""
    from fsre_bench.llm.client import ChatRequest

    def produce(pending: list[RelationState], round_index: int) -> dict[str, list[str]]:
        requests = []
        for state in pending:
            rng = seeded_rng(plan.seed, "demonstrations", state.relation.id, round_index)
            demos = rng.sample(state.group, min(plan.demonstrations, len(state.group)))
            lines = [demonstration_line(d, state.relation.name, plan.typed) for d in demos]
            prompt = synthetic_prompt(state.relation, lines, plan.allowed_types, plan.per_relation, plan.typed)
            requests.append(ChatRequest.user(prompt, max_tokens=SYNTHETIC_TOKENS_PER_SAMPLE * plan.per_relation,
                                             sample_index=round_index))
        produced: dict[str, list[str]] = {}
        for state, result in zip(pending, client.map(requests), strict=True):
            counts["requests"] += 1
            if not result.ok:
                counts["failed_requests"] += 1
                continue
            samples = split_samples(result.text or "")
            if not (result.text or "").strip():
                counts["empty_replies"] += 1
            elif not samples:
                counts["replies_without_samples"] += 1
            produced[state.relation.id] = samples
        return produced

    return produce


def schema_producer(plan: SynthesisPlan, counts: collections.Counter[str]) -> Producer:
    """Entity-substitution samples, ``per_relation`` candidates per pending relation per round."""

    def produce(pending: list[RelationState], round_index: int) -> dict[str, list[str]]:
        out = {}
        for state in pending:
            counts["requests"] += 1
            rng = seeded_rng(plan.seed, "substitute", state.relation.id, round_index)
            out[state.relation.id] = substitution_lines(state.group, state.relation.name, plan.typed,
                                                        plan.per_relation, rng)
        return out

    return produce


def synthetic_records(states: Sequence[RelationState], key: str) -> Records:
    """One file line per kept sample; instance ids ``synthetic/<key>#<i>`` in relation order."""
    records = []
    for state in states:
        for sample, round_index in state.kept:
            fields = sample.fields
            records.append({
                "relation": state.relation.id, "relation_name": state.relation.name, "source": "synthetic",
                "instance_id": f"synthetic/{key}#{len(records)}", "round": round_index, "line": sample.line,
                "parsed": {"relation": fields.relation, "context": fields.context, "head": fields.head,
                           "head_type": fields.head_type, "tail": fields.tail, "tail_type": fields.tail_type},
                "text": fields.context, "head": fields.head, "tail": fields.tail, "tokens": list(sample.tokens),
                "head_span": list(sample.head_span), "tail_span": list(sample.tail_span),
                "head_type": sample.head_type, "tail_type": sample.tail_type,
            })
    return records


def synthetic_stats(states: Sequence[RelationState], sample_filter: SampleFilter, counts: collections.Counter[str],
                    plan: SynthesisPlan) -> dict[str, Any]:
    filtered = sample_filter.stats()
    accepted = sum(s.accepted for s in states)
    kept = sum(len(s.kept) for s in states)
    return {
        "relations": len(states), "typed": plan.typed, "allowed_types": list(plan.allowed_types),
        **{name: counts.get(name, 0) for name in ("requests", "failed_requests", "empty_replies",
                                                    "replies_without_samples", "surplus")},
        **filtered, "accepted": accepted, "accepted_share": share(accepted, sample_filter.lines), "kept": kept,
        "per_relation": {s.relation.id: {"kept": len(s.kept), "accepted": s.accepted, "lines": s.lines,
                                         "rounds": s.rounds} for s in states},
        "relations_without_valid": [s.relation.id for s in states if not s.kept],
        "relations_short": [s.relation.id for s in states if 0 < len(s.kept) < plan.per_relation],
    }


def generate_synthetic(
    instances: Sequence[RelationInstance], relations: Mapping[str, Relation], *, source: str,
    llm: LLMConfig | None, dataset: str, entity_types: Sequence[str] = (), per_relation: int = 8,
    demonstrations: int = 8, max_rounds: int = 3, seed: int = 0,
) -> KnowledgeArtifact:
    """SCDG: up to ``per_relation`` filtered synthetic examples of each relation; reused if complete."""
    check_positive(per_relation=per_relation, demonstrations=demonstrations, max_rounds=max_rounds)
    config, identity, label = resolve_source(source, llm)
    groups = group_by_relation(instances)
    typed = bool(entity_types)
    plan = SynthesisPlan(per_relation, demonstrations, max_rounds, seed, typed,
                         tuple(entity_types) if typed else COARSE_ENTITY_TYPES)
    params = {"per_relation": per_relation, "demonstrations": demonstrations, "max_rounds": max_rounds,
              "entity_types": list(plan.allowed_types), "typed": typed}
    header = base_header("synthetic", dataset, groups, relations, identity, label, seed, params)

    def generate() -> tuple[Records, dict[str, Any]]:
        states = [RelationState(relation_of(relations, rel), group) for rel, group in groups.items()]
        sample_filter = SampleFilter(plan.allowed_types, typed, (inst.text for inst in instances))
        counts: collections.Counter[str] = collections.Counter()
        usage = None
        if config is None:
            run_rounds(states, schema_producer(plan, counts), sample_filter, plan, counts)
        else:
            with llm_session(config) as client:
                run_rounds(states, llm_producer(client, plan, counts), sample_filter, plan, counts)
                usage = client.usage_dict()
        stats = synthetic_stats(states, sample_filter, counts, plan)
        return synthetic_records(states, header["key"]), {**stats, "llm_usage": usage}

    return load_or_generate(header, generate)
