"""FewRel JSON (``{relation: [{"tokens", "h", "t"}, ...]}``) and ``pid2name.json``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fsre_bench.data.common import (
    mention_from_positions,
    read_json_sidecar,
    readable_relation_name,
    record_error,
    require_fields,
    require_tokens,
)
from fsre_bench.data.semeval_labels import semeval_relation
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Mention, Relation, RelationInstance

# Wikidata's placeholder for "no description"; kept out of descriptions so they stay honest.
_NO_DESCRIPTION = "No description defined"


def load_pid2name(path: str | Path) -> dict[str, tuple[str, str]]:
    """``pid2name.json`` -> {P-id: (name, description)}."""
    path = str(path)
    data = read_json_sidecar(path, "pid2name")
    if not isinstance(data, dict):
        raise DataError(f"{path}: pid2name must be a JSON object mapping P-ids to [name, description]")
    table: dict[str, tuple[str, str]] = {}
    for pid, value in data.items():
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise record_error(path, f"entry {pid!r}", "expected [name, description] strings")
        description = value[1] if len(value) > 1 else ""
        table[pid] = (value[0], "" if description == _NO_DESCRIPTION else description)
    return table


def relation_for_key(key: str, pid2name: Mapping[str, tuple[str, str]] | None) -> Relation:
    """P-ids get pid2name's name/description, SemEval labels ours, other keys a readable name."""
    if pid2name and key in pid2name:
        name, description = pid2name[key]
        return Relation(id=key, name=name, description=description)
    known = semeval_relation(key)
    if known is not None:
        return known
    return Relation(id=key, name=readable_relation_name(key), description="")


def _entity_mentions(entity: Any, n_tokens: int, path: str, where: str, role: str) -> tuple[Mention, ...]:
    # FewRel entity: [surface name, entity id, [[positions of mention 1], [mention 2], ...]]
    if not isinstance(entity, list) or len(entity) < 3:
        raise record_error(path, where, f"field {role!r} must be [name, id, [[positions], ...]]")
    mentions = entity[2]
    if not isinstance(mentions, list) or not mentions:
        raise record_error(path, where, f"field {role!r} has no mentions (expected [[positions], ...])")
    return tuple(mention_from_positions(m, n_tokens, path, where, role) for m in mentions)


def _instance(record: Any, inst_id: str, label: str, path: str, where: str) -> RelationInstance:
    require_fields(record, ("tokens", "h", "t"), path, where)
    tokens = require_tokens(record["tokens"], path, where, "tokens")
    head = _entity_mentions(record["h"], len(tokens), path, where, "h")
    tail = _entity_mentions(record["t"], len(tokens), path, where, "t")
    return RelationInstance(id=inst_id, tokens=tokens, head=head, tail=tail, label=label)


def parse_fewrel(
    data: Any,
    path: str,
    *,
    name: str,
    split: str,
    sha256: str,
    pid2name: Mapping[str, tuple[str, str]] | None = None,
) -> Dataset:
    """Parsed FewRel JSON -> Dataset; ids count records across relations in file order."""
    if not isinstance(data, dict):
        raise DataError(f"{path}: FewRel JSON must be an object mapping relation ids to lists of records")
    relations: dict[str, Relation] = {}
    instances: dict[str, tuple[RelationInstance, ...]] = {}
    index = 0
    for key, records in data.items():
        if not isinstance(records, list):
            raise record_error(path, f"relation {key!r}", "expected a list of records")
        if not records:
            raise record_error(
                path, f"relation {key!r}", "empty relation (no instances); remove the key or add records"
            )
        group = []
        for position, record in enumerate(records):
            where = f"relation {key!r} record {position} (instance #{index})"
            group.append(_instance(record, f"{name}/{split}#{index}", key, path, where))
            index += 1
        relations[key] = relation_for_key(key, pid2name)
        instances[key] = tuple(group)
    if not relations:
        raise DataError(f"{path}: FewRel JSON has no relations")
    return Dataset(
        name=name,
        split=split,
        relations=relations,
        instances=instances,
        source_sha256=sha256,
        source_path=path,
    )
