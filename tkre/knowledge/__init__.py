"""TKRE knowledge generation: EDKG explanations and SCDG synthetic examples, as reusable artifacts.

    art = generate_explanations(train_instances, dataset.relations, source="llm", llm=LLMConfig(),
                                dataset="fewrel/val_wiki")           # or source="schema" (no LLM)
    art.examples      # list[KnowledgeExample] for tkre.pretrain (source "explanation")
    syn = generate_synthetic(train_instances, dataset.relations, source="llm", llm=config,
                             dataset="tacred/train", entity_types=dataset.entity_types)
    syn.instances     # new labelled RelationInstances, ids "synthetic/<key>#<i>"
    syn.examples      # the same sentences as KnowledgeExamples (source "synthetic")

An artifact is keyed by a content hash of the dataset name, the relations and instance ids, the
LLM identity (endpoint without credentials, model id, sampling) or "schema", PROMPT_VERSION, the
seed and the generation parameters; a complete file under ``$FSRE_BENCH_CACHE/tkre/knowledge`` is
loaded instead of regenerated (a corrupt one is regenerated; LLM replies come from the LLM
layer's cache, so that costs no new calls). File format: ``tkre/knowledge/artifact.py``.
"""

from __future__ import annotations

from tkre.knowledge.artifact import (
    FORMAT,
    ArtifactSummary,
    CorruptArtifact,
    KnowledgeArtifact,
    artifact_path,
    iter_artifacts,
    knowledge_dir,
    load_artifact,
)
from tkre.knowledge.explanations import clean_explanation, generate_explanations
from tkre.knowledge.prompts import COARSE_ENTITY_TYPES, PROMPT_VERSION, normalise_type
from tkre.knowledge.synthetic import generate_synthetic

__all__ = [
    "COARSE_ENTITY_TYPES",
    "FORMAT",
    "PROMPT_VERSION",
    "ArtifactSummary",
    "CorruptArtifact",
    "KnowledgeArtifact",
    "artifact_path",
    "clean_explanation",
    "generate_explanations",
    "generate_synthetic",
    "iter_artifacts",
    "knowledge_dir",
    "load_artifact",
    "normalise_type",
]
