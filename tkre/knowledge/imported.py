"""Knowledge made elsewhere (a real LLM, the paper's release), imported as ordinary knowledge artifacts.

``--knowledge import:DIR`` reads, from DIR, the reference release's formats:

* ``explanations.json``: a JSON list of ``{"relation", "subject", "object", "generated_text"}``, optionally
  ``"context"`` (the source sentence);
* ``synthetic.jsonl``: JSON Lines of ``{"text", "subj", "subj_start", "subj_end", "obj", "obj_start",
  "obj_end", "subj_type", "obj_type", "relation"}``, character offsets, end-exclusive.

Every record is validated: the relation must be one of the training relations (matched by id, else by
name), offsets must select exactly the entity strings and fall on token boundaries, contexts must be
new. A bad record is dropped and counted under its reason. The files' sha256 names the import: the
knowledge source is ``import:<sha256 prefix>``, and the artifacts are written (and reused) under that key
like generated ones, so ``fsre-bench tkre knowledge --show`` lists them.
"""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.cache import content_hash
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import Relation
from tkre.knowledge.artifact import (
    FORMAT,
    KEY_LENGTH,
    KnowledgeArtifact,
    artifact_path,
    load_artifact,
    write_artifact,
)
from tkre.knowledge.explanations import clean_explanation, locate_entities
from tkre.knowledge.prompts import normalise_type
from tkre.knowledge.scdg_filters import context_signature
from tkre.knowledge.tokens import char_span_to_token_span, tokenize, tokenize_with_offsets

EXPLANATIONS_FILE = "explanations.json"
SYNTHETIC_FILE = "synthetic.jsonl"
PREFIX = "import:"
SOURCE_HASH_LENGTH = 12
_EXPLANATION_FIELDS = ("relation", "subject", "object", "generated_text")
_SYNTHETIC_STR_FIELDS = ("text", "subj", "obj", "relation")
_SYNTHETIC_INT_FIELDS = ("subj_start", "subj_end", "obj_start", "obj_end")


@dataclass
class ImportedKnowledge:
    """The artifacts one import directory yields (None where its file is absent)."""

    source: str  # "import:<sha256 prefix>"
    explanations: KnowledgeArtifact | None
    synthetic: KnowledgeArtifact | None


def import_directory(knowledge: str) -> Path:
    """The DIR of ``import:DIR``; one line when it holds neither file."""
    directory = Path(knowledge[len(PREFIX):]).expanduser()
    if not directory.is_dir():
        raise ConfigError(f"--knowledge {knowledge}: {directory} is not a directory")
    if not any((directory / name).is_file() for name in (EXPLANATIONS_FILE, SYNTHETIC_FILE)):
        raise ConfigError(f"--knowledge {knowledge}: {directory} holds neither {EXPLANATIONS_FILE} nor {SYNTHETIC_FILE}")
    return directory


def import_knowledge(directory: Path, relations: Mapping[str, Relation], training: Sequence[str], *, dataset: str,
                     explanations_per_relation: int, synthetic_per_relation: int,
                     real_contexts: Sequence[str] = ()) -> ImportedKnowledge:
    """Validate and convert DIR's files for the ``training`` relations; reuse the artifacts if already made."""
    files = {name: directory / name for name in (EXPLANATIONS_FILE, SYNTHETIC_FILE) if (directory / name).is_file()}
    digests = {name: hashlib.sha256(path.read_bytes()).hexdigest() for name, path in files.items()}
    source = PREFIX + hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()[:SOURCE_HASH_LENGTH]
    resolve = _relation_resolver(relations, training)
    common = {"dataset": dataset, "source": source, "files": digests, "training": list(training)}
    explained = synthetic = None
    if EXPLANATIONS_FILE in files:
        header = _header("explanations", common, {"per_relation": explanations_per_relation})
        explained = _load_or_convert(header, lambda: _explanation_records(
            files[EXPLANATIONS_FILE], resolve, explanations_per_relation))
    if SYNTHETIC_FILE in files:
        header = _header("synthetic", common, {"per_relation": synthetic_per_relation})
        synthetic = _load_or_convert(header, lambda: _synthetic_records(
            files[SYNTHETIC_FILE], resolve, synthetic_per_relation, header["key"], real_contexts))
    return ImportedKnowledge(source, explained, synthetic)


def _header(kind: str, common: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    header = {"kind": kind, **common, "llm": None, "params": params}
    header["key"] = _key(header)
    return header


def _key(header: dict[str, Any]) -> str:
    return content_hash(FORMAT, "import", header, length=KEY_LENGTH)


def _load_or_convert(header: dict[str, Any], convert: Any) -> KnowledgeArtifact:
    path = artifact_path(header["kind"], header["key"])
    existed = path.exists()
    if not existed:
        records, stats = convert()
        write_artifact(path, header, records, stats)
    artifact = load_artifact(path, expected_key=header["key"])
    artifact.stats["cache_hit"] = existed  # reported as "reused" by `tkre knowledge --import`
    return artifact


def _relation_resolver(relations: Mapping[str, Relation], training: Sequence[str]) -> Any:
    """A record's relation -> a training relation id: by id, else by name (case and ``_``/space folded)."""
    def fold(text: str) -> str:
        return " ".join(text.replace("_", " ").split()).casefold()

    by_name: dict[str, str] = {}
    for rel in training:
        by_name.setdefault(fold(rel), rel)
        if rel in relations and relations[rel].name:
            by_name.setdefault(fold(relations[rel].name), rel)
    return lambda value: by_name.get(fold(value))


def _explanation_records(path: Path, resolve: Any, cap: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    raw = _read_json(path)
    if not isinstance(raw, list):
        raise DataError(f"{path}: expected a JSON list of explanation records, got {type(raw).__name__}")
    dropped: collections.Counter[str] = collections.Counter()
    per_relation: collections.Counter[str] = collections.Counter()
    records: list[dict[str, Any]] = []
    for index, item in enumerate(raw):
        reason, record = _explanation(item, resolve)
        if reason is None and per_relation[record["relation"]] >= cap:
            reason = "over the per-relation cap"
        if reason is not None:
            dropped[reason] += 1
            continue
        per_relation[record["relation"]] += 1
        records.append({**record, "import_index": index})
    return records, _stats(len(raw), records, dropped, per_relation)


def _explanation(item: Any, resolve: Any) -> tuple[str | None, dict[str, Any]]:
    if not isinstance(item, dict):
        return "not a JSON object", {}
    missing = [f for f in _EXPLANATION_FIELDS if not isinstance(item.get(f), str)]
    if missing:
        return f"missing or non-string field {missing[0]!r}", {}
    relation = resolve(item["relation"])
    if relation is None:
        return "relation is not a training relation", {}
    text, _ = clean_explanation(item["generated_text"])
    if not text:
        return "empty explanation", {}
    tokens = tokenize(text)
    head, tail = locate_entities(tokens, item["subject"], item["object"])
    return None, {"relation": relation, "source": "explanation", "instance_id": None, "text": text,
                  "head": item["subject"], "tail": item["object"], "context": item.get("context"),
                  "tokens": list(tokens), "head_span": None if head is None else list(head),
                  "tail_span": None if tail is None else list(tail)}


def _synthetic_records(path: Path, resolve: Any, cap: int, key: str,
                       real_contexts: Sequence[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable ({exc})") from None
    seen = {context_signature(text) for text in real_contexts}
    dropped: collections.Counter[str] = collections.Counter()
    per_relation: collections.Counter[str] = collections.Counter()
    records: list[dict[str, Any]] = []
    read = 0
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        read += 1
        reason, record = _synthetic(line, resolve)
        if reason is None and context_signature(record["text"]) in seen:
            reason = "duplicate context"
        if reason is None and per_relation[record["relation"]] >= cap:
            reason = "over the per-relation cap"
        if reason is not None:
            dropped[reason] += 1
            continue
        seen.add(context_signature(record["text"]))
        per_relation[record["relation"]] += 1
        records.append({**record, "instance_id": f"synthetic/{key}#{len(records)}", "import_line": number})
    return records, _stats(read, records, dropped, per_relation)


def _synthetic(line: str, resolve: Any) -> tuple[str | None, dict[str, Any]]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError:
        return "not JSON", {}
    if not isinstance(item, dict):
        return "not a JSON object", {}
    bad = [f for f in _SYNTHETIC_STR_FIELDS if not isinstance(item.get(f), str)]
    bad += [f for f in _SYNTHETIC_INT_FIELDS if isinstance(item.get(f), bool) or not isinstance(item.get(f), int)]
    if bad:
        return f"missing or mistyped field {bad[0]!r}", {}
    relation = resolve(item["relation"])
    if relation is None:
        return "relation is not a training relation", {}
    text = item["text"]
    tokens = tokenize_with_offsets(text)
    spans = []
    for role in ("subj", "obj"):
        start, end = item[f"{role}_start"], item[f"{role}_end"]
        if not 0 <= start < end <= len(text) or text[start:end] != item[role]:
            return f"{role} offsets do not select the {role} string", {}
        span = char_span_to_token_span(tokens, start, end)
        if span is None:
            return f"{role} offsets are not on token boundaries", {}
        spans.append(span)
    head, tail = spans
    if head[0] < tail[1] and tail[0] < head[1]:
        return "subject and object overlap", {}
    types = [normalise_type(t) if isinstance(t, str) and t.strip() else None
             for t in (item.get("subj_type"), item.get("obj_type"))]
    return None, {"relation": relation, "source": "synthetic", "text": text, "head": item["subj"],
                  "tail": item["obj"], "tokens": [t.text for t in tokens], "head_span": list(head),
                  "tail_span": list(tail), "head_type": types[0], "tail_type": types[1]}


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: unreadable ({exc})") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not JSON (line {exc.lineno}: {exc.msg})") from None


def _stats(read: int, records: list[dict[str, Any]], dropped: collections.Counter[str],
           per_relation: collections.Counter[str]) -> dict[str, Any]:
    return {"records": read, "kept": len(records), "dropped": dict(sorted(dropped.items())),
            "per_relation": dict(sorted(per_relation.items())),
            "entity_spans_missing": sum(r["head_span"] is None or r["tail_span"] is None for r in records)}
