"""OpenNRE JSONL (SemEval-2010 Task 8 as shipped by OpenNRE / RE-Context-or-Names) and rel2id.json."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fsre_bench.data.common import (
    dataset_from_groups,
    mention_from_span,
    parse_json_text,
    read_json_sidecar,
    readable_relation_name,
    record_error,
    require_fields,
    require_tokens,
)
from fsre_bench.data.semeval_labels import NEGATIVE_LABEL as SEMEVAL_NEGATIVE
from fsre_bench.data.semeval_labels import semeval_relation
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Mention, Relation, RelationInstance

# Labels that mean "no relation" in OpenNRE-style files.
NEGATIVE_LABELS = (SEMEVAL_NEGATIVE, "no_relation")


def load_rel2id(path: str | Path) -> list[str]:
    """``rel2id.json`` -> labels ordered by their id."""
    path = str(path)
    data = read_json_sidecar(path, "rel2id")
    if not isinstance(data, dict) or not all(type(v) is int for v in data.values()):
        raise DataError(f"{path}: rel2id must be a JSON object mapping labels to integer ids")
    return sorted(data, key=lambda label: data[label])


def _entity(record: dict[str, Any], role: str, n_tokens: int, path: str, where: str) -> Mention:
    entity = record[role]
    if not isinstance(entity, dict) or "pos" not in entity:
        raise record_error(path, where, f"field {role!r} must be an object with 'pos': [start, end)")
    pos = entity["pos"]
    if not isinstance(pos, list) or len(pos) != 2:
        raise record_error(path, where, f"field {role}.pos must be [start, end)")
    return mention_from_span(pos[0], pos[1], n_tokens, path, where, role)


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}): {exc.reason}") from None


def _relation(label: str) -> Relation:
    return semeval_relation(label) or Relation(id=label, name=readable_relation_name(label))


def parse_opennre(
    raw: bytes,
    path: str,
    *,
    name: str,
    split: str,
    sha256: str,
    labels: list[str] | None = None,
) -> Dataset:
    """JSONL bytes -> Dataset. ``labels`` (from rel2id) fixes the label set and its order."""
    known = set(labels) if labels is not None else None
    groups: dict[str, list[RelationInstance]] = {label: [] for label in labels or ()}
    index = 0
    for lineno, line in enumerate(_decode(raw, path).splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {lineno} (instance #{index})"
        record = parse_json_text(line, path, line=lineno)
        require_fields(record, ("token", "h", "t", "relation"), path, where)
        tokens = require_tokens(record["token"], path, where, "token")
        label = record["relation"]
        if not isinstance(label, str):
            raise record_error(path, where, f"relation must be a string, got {label!r}")
        if known is not None and label not in known:
            raise record_error(path, where, f"relation {label!r} is not listed in rel2id.json")
        head = _entity(record, "h", len(tokens), path, where)
        tail = _entity(record, "t", len(tokens), path, where)
        inst = RelationInstance(f"{name}/{split}#{index}", tokens, (head,), (tail,), label)
        groups.setdefault(label, []).append(inst)
        index += 1
    if index == 0:
        raise DataError(f"{path}: no records (expected one JSON object per line)")
    relations = {label: _relation(label) for label in groups}
    negative = next((label for label in NEGATIVE_LABELS if label in relations), None)
    return dataset_from_groups(name, split, relations, groups, sha256=sha256, path=path, negative_label=negative)
