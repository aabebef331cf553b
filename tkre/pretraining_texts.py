"""The texts a TKRE variant pre-trains on, built from labelled instances of the training relations.

Full TKRE, as the paper stages it: stage 1 reads every labelled training sentence (or a seeded
``corpus_sentences_per_relation`` of each relation) plus the EDKG explanations, stage 2 the SCDG
synthetic sentences (which also join the K-shot classifier's training set), all carrying the
entity markers inference reads (tkre/marked_texts.py). ``tkre-no-synth`` drops the synthetic data
everywhere; ``tkre-no-knowledge`` replaces each explanation by the raw sentence it would have
explained (the same seeded choice of instances), so only the knowledge, not the amount of text,
changes.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.llm.config import LLMConfig
from fsre_bench.types import Relation, RelationInstance
from tkre.knowledge import generate_explanations, generate_synthetic
from tkre.knowledge.common import group_by_relation, seeded_rng, seeded_subset
from tkre.knowledge.imported import (
    EXPLANATION_NAMES,
    SYNTHETIC_FILE,
    ImportedKnowledge,
    import_directory,
    import_knowledge,
    import_report,
)
from tkre.marked_texts import LABELLED_SOURCE, labelled_sentences, mark_examples
from tkre.settings import TKRESettings, Variant
from tkre.types import KnowledgeExample


@dataclass
class PretrainingTexts:
    """What pre-training and the K-shot classifier get from the knowledge step."""

    examples: list[KnowledgeExample]
    relations: list[str]  # the relations knowledge was built for (anchor rows, in order)
    synthetic: list[RelationInstance]  # SCDG instances (empty for tkre-no-synth)
    source: str  # "llm:<model id>" | "schema" | "import:<sha256 prefix>": what generated the knowledge
    # The paper's corpora per stage: stage 1 (MSLM) on the explanations and the labelled training sentences,
    # stage 2 (SCL + MSLM) on the synthetic data; None = the whole corpus (stage 2 of tkre-no-synth).
    stage1_sources: tuple[str, ...] | None
    stage2_sources: tuple[str, ...] | None = None
    info: dict[str, Any] = field(default_factory=dict)


def knowledge_instances(instances: Sequence[RelationInstance], negative_label: str | None,
                        max_relations: int | None) -> list[RelationInstance]:
    """Instances of the positive relations (the first ``max_relations`` of them, in first-seen order)."""
    positive = [inst for inst in instances if inst.label != negative_label]
    if not max_relations:
        return positive
    keep = set(list(group_by_relation(positive))[:max_relations])
    return [inst for inst in positive if inst.label in keep]


def build_pretraining_texts(
    instances: Sequence[RelationInstance], relations: Mapping[str, Relation], *, variant: Variant,
    settings: TKRESettings, llm: LLMConfig | None, dataset: str, entity_types: Sequence[str], seed: int,
) -> PretrainingTexts:
    """Generate (or reuse) the knowledge artifacts this variant needs and turn them into pre-training texts."""
    if not instances:
        raise DataError(f"tkre: {dataset} has no instances of a positive relation to build knowledge from")
    common = {"source": settings.knowledge, "llm": llm if settings.knowledge == "llm" else None,
              "dataset": dataset, "seed": seed}
    imported = _imported(instances, relations, settings, dataset) if settings.knowledge.startswith("import:") else None
    examples: list[KnowledgeExample] = []
    info: dict[str, Any] = {}
    sources: list[str] = []
    if variant.explanations:
        explained = (_required(imported, "explanations", variant) if imported else
                     generate_explanations(instances, relations, per_relation=settings.explanations_per_relation,
                                           **common))
        examples += explained.examples
        info["explanations"] = _artifact_info(explained)
        sources.append(explained.source)
    else:
        examples += raw_sentences(instances, settings.explanations_per_relation, seed)
        info["sentences"] = {"examples": len(examples)}
    synthetic: list[RelationInstance] = []
    if variant.synthetic:
        generated = (_required(imported, "synthetic", variant) if imported else
                     _generated_synthetic(instances, relations, settings, entity_types, common))
        examples += generated.examples
        synthetic = list(generated.instances)
        info["synthetic"] = _artifact_info(generated)
        sources.append(generated.source)
    examples, info["corpus"] = _corpus(examples, instances, synthetic, settings, seed)
    used = list(group_by_relation(instances))
    source = sources[0] if sources else ("schema" if settings.knowledge == "schema" else "none")
    stage1 = (LABELLED_SOURCE, "explanation", "sentence")
    stage2 = ("synthetic",) if synthetic else None
    return PretrainingTexts(examples, used, synthetic, source, stage1, stage2, info)


def synthetic_instances(
    instances: Sequence[RelationInstance], relations: Mapping[str, Relation], *, settings: TKRESettings,
    llm: LLMConfig | None, dataset: str, entity_types: Sequence[str], seed: int,
) -> tuple[list[RelationInstance], dict[str, Any]]:
    """The SCDG instances TKRE would add for these instances (same artifact, same seed), and their info.

    The ``finetune`` baseline's synthetic variant trains on exactly these.
    """
    common = {"source": settings.knowledge, "llm": llm if settings.knowledge == "llm" else None,
              "dataset": dataset, "seed": seed}
    if settings.knowledge.startswith("import:"):
        variant = Variant("finetune-synth", explanations=False)
        generated = _required(_imported(instances, relations, settings, dataset), "synthetic", variant)
    else:
        generated = _generated_synthetic(instances, relations, settings, entity_types, common)
    return list(generated.instances), _artifact_info(generated)


def _generated_synthetic(instances: Sequence[RelationInstance], relations: Mapping[str, Relation],
                         settings: TKRESettings, entity_types: Sequence[str], common: dict[str, Any]) -> Any:
    return generate_synthetic(instances, relations, entity_types=entity_types,
                              per_relation=settings.synthetic_per_relation, max_rounds=settings.synthetic_rounds,
                              **common)


def _corpus(knowledge: list[KnowledgeExample], instances: Sequence[RelationInstance],
            synthetic: Sequence[RelationInstance], settings: TKRESettings,
            seed: int) -> tuple[list[KnowledgeExample], dict[str, Any]]:
    """Labelled sentences + knowledge texts, marked (typed where the instances have types) unless switched off."""
    per_relation = settings.corpus_sentences_per_relation
    sentences = labelled_sentences(instances, per_relation, seed) if per_relation != 0 else []
    texts = [*sentences, *knowledge]
    if settings.mark_entities:
        texts = mark_examples(texts, {inst.id: inst for inst in (*instances, *synthetic)})
    by_source: dict[str, int] = {}
    for text in texts:
        by_source[text.source] = by_source.get(text.source, 0) + 1
    marked = sum(text.head_marker is not None for text in texts)
    # the knowledge's weight in pre-training (issue 31: 238 of 5,599 texts was "almost absent")
    knowledge_texts = sum(n for kind, n in by_source.items() if kind in ("explanation", "synthetic"))
    return texts, {"texts": len(texts), "by_source": by_source, "marked": marked, "knowledge_texts": knowledge_texts,
                   "knowledge_share": round(knowledge_texts / max(1, len(texts)), 4)}


def _imported(instances: Sequence[RelationInstance], relations: Mapping[str, Relation], settings: TKRESettings,
              dataset: str) -> ImportedKnowledge:
    directory = import_directory(settings.knowledge)
    imported = import_knowledge(directory, relations, list(group_by_relation(instances)), dataset=dataset,
                                explanations_per_relation=settings.explanations_per_relation,
                                synthetic_per_relation=settings.synthetic_per_relation,
                                real_contexts=[inst.text for inst in instances])
    for line in import_report(imported):  # which file was read as what, kept and dropped: said once per import
        print(f"tkre --knowledge {settings.knowledge}: {line}", file=sys.stderr)
    return imported


def _required(imported: ImportedKnowledge, kind: str, variant: Variant) -> Any:
    """The imported artifact this variant needs; one line when the directory lacks it or nothing survived."""
    artifact = getattr(imported, kind)
    if artifact is None:
        names = " / ".join(EXPLANATION_NAMES) if kind == "explanations" else f"{SYNTHETIC_FILE} / llm_da_<K>.json"
        raise ConfigError(f"{variant.name} needs {kind}, but the --knowledge {imported.source} directory has no "
                          f"{names}")
    name = imported.files[kind]
    if not artifact.examples:
        raise DataError(f"{name}: none of its {artifact.stats.get('records', 0)} records is usable for the training "
                        f"relations (dropped: {artifact.stats.get('dropped')})")
    return artifact


def raw_sentences(instances: Sequence[RelationInstance], per_relation: int, seed: int) -> list[KnowledgeExample]:
    """The sentences EDKG would explain (same seeded choice as ``generate_explanations``), as texts."""
    chosen = [inst for rel, group in group_by_relation(instances).items()
              for inst in seeded_subset(group, per_relation, seeded_rng(seed, "explain", rel))]
    return [KnowledgeExample(inst.label, inst.tokens, inst.head_span, inst.tail_span, "sentence", inst.id)
            for inst in chosen]


def _artifact_info(artifact: Any) -> dict[str, Any]:
    """The artifact's key, source and the counts that say what the filters did (not the per-relation detail)."""
    keep = ("relations", "selected", "examples", "requests", "failed_requests", "empty_replies", "lines", "rejected",
            "accepted", "kept", "relations_without_valid", "relations_without_examples", "relations_short", "cache_hit",
            "llm_usage", "records", "kept", "dropped", "entity_spans_missing")
    return {"key": artifact.key, "source": artifact.source, "n_examples": len(artifact.examples),
            **{k: artifact.stats[k] for k in keep if k in artifact.stats}}
