"""``fewrel/train_offline``: FewRel's 64 training relations, built on load from the Wiki80 files.

Wiki80 (RE-Context-or-Names' ``dev.txt`` + ``train_0.1.txt``) holds all 80 FewRel relations by
*name*; pid2name.json names them exactly (80 of 80, none ambiguous), so each maps to its P-id and
description. The 16 relations of ``fewrel/val_wiki`` are left out, which leaves FewRel's 64
training relations (about 17% of train_wiki's sentences). Some Wiki80 sentences are verbatim
val_wiki sentences (the same text with another entity pair): training on them would leak
evaluation text, so they are dropped here and counted in the dataset's one-line build report.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from fsre_bench.data.spec import DatasetSpec
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Relation, RelationInstance

# Bumped when the build changes what it keeps, so the dataset's sha256 (and every cache key) follows.
BUILD_VERSION = "1"
SOURCES = ("wiki80/dev", "wiki80/train_0.1")
EVALUATION = "fewrel/val_wiki"


def sentence_key(instance: RelationInstance) -> str:
    """The text two instances share when they are "the same sentence" (their entity pairs may differ)."""
    return " ".join(instance.tokens)


def build_fewrel_train_offline(spec: DatasetSpec, data_dir: Path) -> Dataset:
    """The 64 training relations keyed by P-id, val_wiki's sentences dropped (counts in ``build_report``)."""
    from fsre_bench.data.fewrel import load_pid2name
    from fsre_bench.data.loader import load_dataset, missing_message
    from fsre_bench.data.registry import get_spec

    for needed in spec.requires:
        part = get_spec(needed)
        if not (data_dir / part.relpath).is_file():
            raise DataError(f"{spec.name} is built from {', '.join(spec.requires)}: "
                            f"{missing_message(part, data_dir / part.relpath)}")
    pid2name = load_pid2name(data_dir / get_spec("fewrel/pid2name").relpath)
    pid_of = {name: pid for pid, (name, _) in pid2name.items()}  # Wiki80's 80 names are unambiguous there
    evaluation = load_dataset(EVALUATION, data_dir)
    evaluation_text = {sentence_key(i) for i in evaluation.all_instances()}
    groups: dict[str, list[RelationInstance]] = {}
    read: dict[str, int] = {}
    dropped: dict[str, int] = {}
    shas = []
    for source_name in SOURCES:
        source = load_dataset(source_name, data_dir)
        shas.append(source.source_sha256)
        read[source_name] = dropped[source_name] = 0
        for instance in source.all_instances():
            pid = pid_of.get(instance.label)
            if pid is None:
                raise DataError(f"{source.source_path}: relation {instance.label!r} of {instance.id} "
                                "has no pid2name entry")
            if pid in evaluation.relations:
                continue
            read[source_name] += 1
            if sentence_key(instance) in evaluation_text:
                dropped[source_name] += 1
            else:
                groups.setdefault(pid, []).append(instance)
    relations = {pid: Relation(id=pid, name=pid2name[pid][0], description=pid2name[pid][1]) for pid in groups}
    instances = _renumbered(spec.name, groups)
    kept = sum(len(group) for group in instances.values())
    parts = " + ".join(f"{name} ({read[name]}, {dropped[name]} dropped)" for name in SOURCES)
    report = {"relations": len(relations), "read": sum(read.values()), "kept": kept,
              "dropped_as_evaluation_sentences": sum(dropped.values()), "evaluation_split": EVALUATION,
              "per_source": {name: {"read": read[name], "dropped": dropped[name]} for name in SOURCES},
              "line": (f"{spec.name}: {len(relations)} FewRel training relations from {parts}: "
                       f"{sum(dropped.values())} sentences dropped as verbatim {EVALUATION} sentences, {kept} kept")}
    sha = hashlib.sha256(f"{spec.name}/{BUILD_VERSION}:{':'.join(shas)}:{evaluation.source_sha256}".encode())
    return Dataset(name=spec.dataset_name, split=spec.split, relations=relations, instances=instances,
                   source_sha256=sha.hexdigest(), source_path=str(data_dir / "wiki80"), build_report=report)


def _renumbered(name: str, groups: dict[str, list[RelationInstance]]) -> dict[str, tuple[RelationInstance, ...]]:
    """Ids ``<name>#i`` in source order (first seen relation first), labels the P-ids."""
    instances: dict[str, tuple[RelationInstance, ...]] = {}
    index = 0
    for pid, group in groups.items():
        instances[pid] = tuple(replace(inst, id=f"{name}#{index + i}", label=pid) for i, inst in enumerate(group))
        index += len(group)
    return instances
