"""What EDKG and SCDG share: grouping, seeded choices, the source, the artifact key, load-or-generate."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from fsre_bench.cache import content_hash
from fsre_bench.errors import ConfigError
from fsre_bench.llm.config import LLMConfig
from fsre_bench.types import Relation, RelationInstance
from tkre.knowledge.artifact import (
    FORMAT,
    KEY_LENGTH,
    CorruptArtifact,
    KnowledgeArtifact,
    artifact_path,
    load_artifact,
    write_artifact,
)
from tkre.knowledge.llm_backend import llm_identity, llm_source, resolve_llm_config
from tkre.knowledge.prompts import PROMPT_VERSION

log = logging.getLogger(__name__)

SOURCES = ("llm", "schema")
Records = list[dict[str, Any]]


def group_by_relation(instances: Sequence[RelationInstance]) -> dict[str, list[RelationInstance]]:
    """Instances by label, labels in first-seen order, instances in input order."""
    groups: dict[str, list[RelationInstance]] = {}
    for inst in instances:
        groups.setdefault(inst.label, []).append(inst)
    return groups


def relation_of(relations: Mapping[str, Relation], label: str) -> Relation:
    """The relation's metadata (its id is the label); a label missing from ``relations`` is named by its id."""
    found = relations.get(label)
    if found is None:
        return Relation(id=label, name=label)
    return found if found.id == label else Relation(id=label, name=found.name, description=found.description)


def seeded_rng(seed: int, *parts: Any) -> random.Random:
    """A private generator for one named draw: adding a relation never changes another's draws."""
    return random.Random(int(content_hash("tkre-knowledge", seed, *parts, length=16), 16))


def seeded_subset(items: Sequence[RelationInstance], k: int, rng: random.Random) -> list[RelationInstance]:
    """Up to ``k`` items chosen by ``rng``, kept in input order."""
    if len(items) <= k:
        return list(items)
    picked = set(rng.sample(range(len(items)), k))
    return [item for i, item in enumerate(items) if i in picked]


def check_positive(**values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"tkre knowledge: {name}={value!r} must be an integer >= 1")


def resolve_source(source: str, llm: LLMConfig | None) -> tuple[LLMConfig | None, Any, str]:
    """(resolved LLM config or None, identity for the key, the artifact's ``source`` label)."""
    if source == "schema":
        return None, "schema", "schema"
    if source == "llm":
        # No config means the harness default (the embedded SmolLM2), as llm_config_from_options does.
        config = resolve_llm_config(llm or LLMConfig())
        identity = llm_identity(config)
        return config, identity, llm_source(identity)
    raise ConfigError(f"tkre knowledge source {source!r} is not one of {', '.join(SOURCES)}")


def base_header(
    kind: str, dataset: str, groups: Mapping[str, Sequence[RelationInstance]], relations: Mapping[str, Relation],
    identity: Any, source_label: str, seed: int, params: dict[str, Any],
) -> dict[str, Any]:
    """The header fields; the key is the hash of all of them (relations, instance ids, LLM identity...)."""
    used = {label: relation_of(relations, label) for label in groups}
    instance_ids = {label: [inst.id for inst in group] for label, group in groups.items()}
    header = {
        "kind": kind, "dataset": dataset,
        "relations": {label: {"name": rel.name, "description": rel.description} for label, rel in used.items()},
        "source": source_label, "llm": None if identity == "schema" else identity,
        "prompt_version": PROMPT_VERSION, "seed": seed, "params": params,
        "instances": {label: len(ids) for label, ids in instance_ids.items()},
        "instance_ids_sha256": content_hash(instance_ids),
    }
    header["key"] = content_hash(FORMAT, header, length=KEY_LENGTH)
    return header


def load_or_generate(header: dict[str, Any], generate: Callable[[], tuple[Records, dict[str, Any]]]) -> KnowledgeArtifact:
    """The complete artifact named by ``header['key']`` if its file checks out, else generate and write it."""
    kind, key = header["kind"], header["key"]
    path = artifact_path(kind, key)
    corrupt = None
    if path.exists():
        try:
            artifact = load_artifact(path, expected_key=key)
            artifact.stats["cache_hit"] = True
            return artifact
        except CorruptArtifact as exc:
            corrupt = str(exc)
            log.warning("regenerating knowledge artifact: %s", corrupt)
    records, stats = generate()
    stats["cache_hit"] = False
    if corrupt is not None:
        stats["regenerated_corrupt_file"] = corrupt
    write_artifact(path, header, records, stats)
    return load_artifact(path, expected_key=key)


def share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0
