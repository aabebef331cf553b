"""FS-TACRED partitions built on load from the user's TACRED, as upstream's data_transformation does.

Upstream groups each TACRED split by relation and, for the partition of the same name (TACRED
train -> FS-TACRED train, dev -> dev, test -> test), keeps the relations its split list names and
merges the instances of *every other relation* into ``no_relation``; nothing is dropped. (Its
episode sampler then leaves out relations with at most K instances, and its optional train
downsampling is not part of the benchmark: neither is applied here.) The loader reports the
merge in one line, like the TACREV patch report.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from fsre_bench.data.common import dataset_from_groups, read_json_sidecar, readable_relation_name
from fsre_bench.data.tacred import NEGATIVE_LABEL
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Relation, RelationInstance

PARTITIONS = ("train", "dev", "test")


def load_relation_split(path: str | Path) -> dict[str, tuple[str, ...]]:
    """categories_split.json -> {partition: its relations, no_relation excluded}."""
    data = read_json_sidecar(str(path), "FS-TACRED relation split")
    if not isinstance(data, dict) or any(
        not isinstance(data.get(part), list) or not all(isinstance(r, str) for r in data[part]) for part in PARTITIONS
    ):
        raise DataError(f"{path}: an FS-TACRED split must be an object with train/dev/test lists of relation names")
    split = {part: tuple(r for r in data[part] if r != NEGATIVE_LABEL) for part in PARTITIONS}
    seen: dict[str, str] = {}
    for part, relations in split.items():
        for relation in relations:
            if relation in seen:
                raise DataError(f"{path}: relation {relation!r} is in both {seen[relation]} and {part}")
            seen[relation] = part
    return split


def _position(instance: RelationInstance) -> int:
    return int(instance.id.rsplit("#", 1)[1])


def relabel_partition(base: Dataset, keep: tuple[str, ...], split_sha256: str) -> Dataset:
    """``base`` (a TACRED split loaded as fs-tacred/<split>) with relations outside ``keep`` merged into no_relation."""
    kept = set(keep)
    instances = sorted((inst for group in base.instances.values() for inst in group), key=_position)
    groups: dict[str, list[RelationInstance]] = {}
    merged: dict[str, int] = {}
    for inst in instances:
        if inst.label not in kept and inst.label != NEGATIVE_LABEL:
            merged[inst.label] = merged.get(inst.label, 0) + 1
            inst = dataclasses.replace(inst, label=NEGATIVE_LABEL)
        groups.setdefault(inst.label, []).append(inst)
    relations = {label: Relation(id=label, name=readable_relation_name(label)) for label in groups}
    dataset = dataset_from_groups(
        base.name, base.split, relations, groups, sha256=hashlib.sha256(f"{base.source_sha256}:{split_sha256}".encode()).hexdigest(),
        path=base.source_path, negative_label=NEGATIVE_LABEL if NEGATIVE_LABEL in relations else None,
        entity_types=base.entity_types,
    )
    absent = [relation for relation in keep if relation not in groups]
    dataset.patch_report = _report(base, len(instances), keep, merged, absent)
    return dataset


def _report(base: Dataset, records: int, keep: tuple[str, ...], merged: dict[str, int], absent: list[str]) -> dict[str, Any]:
    kept_count = sum(len(base.instances.get(r, ())) for r in keep)
    negatives = len(base.instances.get(NEGATIVE_LABEL, ()))
    summary = (
        f"{base.name}/{base.split}: {records} TACRED {base.split} records; {len(keep) - len(absent)} of the split's "
        f"{len(keep)} {base.split} relations kept ({kept_count} records), {sum(merged.values())} records of "
        f"{len(merged)} other relations merged into no_relation (now {negatives + sum(merged.values())}), 0 dropped"
    )
    if absent:
        summary += f"; WARNING: no record of {', '.join(absent)}"
    return {"records": records, "kept": kept_count, "merged": sum(merged.values()), "merged_relations": len(merged),
            "dropped": 0, "summary": summary}
