"""Knowledge made elsewhere (a real LLM, the paper's release), imported as ordinary knowledge artifacts.

``--knowledge import:DIR`` reads, from DIR, the reference release's formats, under our names or the
release's own (UESTC-GQJ/TKRE ``datasets/synthetic_data/``):

* explanations, ``explanations.json``, or the release's ``llm_corpus_context.json`` (with each source
  sentence) or ``llm_corpus.json`` (without): a JSON list of ``{"relation", "subject", "object",
  "generated_text"}``, optionally ``"context"`` (the source sentence); one file is read, the first of
  those names present, and any other is reported as not read;
* synthetic data, ``synthetic.jsonl`` or the release's ``llm_da_<K>.json`` (JSON Lines despite the
  suffix; with several K, the one matching the run's K-shot split): ``{"text", "subj", "subj_start",
  "subj_end", "obj", "obj_start", "obj_end", "subj_type", "obj_type", "relation"}``, character offsets,
  end-exclusive.

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
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
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
# Every name a kind's file may have, in the order looked for: ours first, then the release's.
EXPLANATION_NAMES = (EXPLANATIONS_FILE, "llm_corpus_context.json", "llm_corpus.json")
RELEASE_SYNTHETIC = re.compile(r"llm_da_(\d+)\.json")
_KSHOT_SPLIT = re.compile(r"kshot-k(\d+)-s\d+")
PREFIX = "import:"
SOURCE_HASH_LENGTH = 12
_EXPLANATION_FIELDS = ("relation", "subject", "object", "generated_text")
_SYNTHETIC_STR_FIELDS = ("text", "subj", "obj", "relation")
_SYNTHETIC_INT_FIELDS = ("subj_start", "subj_end", "obj_start", "obj_end")


@dataclass
class ImportedKnowledge:
    """The artifacts one import directory yields (None where its file is absent), and which file was which."""

    source: str  # "import:<sha256 prefix>"
    explanations: KnowledgeArtifact | None
    synthetic: KnowledgeArtifact | None
    files: dict[str, str] = field(default_factory=dict)  # kind -> the file name read as it
    unread: tuple[tuple[str, str], ...] = ()  # (file name, why it was not read)


@dataclass(frozen=True)
class ImportFiles:
    """Which of DIR's files is read as which kind."""

    explanations: Path | None
    synthetic: Path | None
    unread: tuple[tuple[str, str], ...]


def import_directory(knowledge: str) -> Path:
    """The DIR of ``import:DIR``; one line when it holds no file of either kind."""
    directory = Path(knowledge[len(PREFIX):]).expanduser()
    if not directory.is_dir():
        raise ConfigError(f"--knowledge {knowledge}: {directory} is not a directory")
    present = [name for name in (*EXPLANATION_NAMES, SYNTHETIC_FILE) if (directory / name).is_file()]
    if not present and not _release_synthetic(directory):
        raise ConfigError(f"--knowledge {knowledge}: {directory} holds no knowledge file (explanations: "
                          f"{' / '.join(EXPLANATION_NAMES)}; synthetic: {SYNTHETIC_FILE} / llm_da_<K>.json)")
    return directory


def _release_synthetic(directory: Path) -> dict[int, Path]:
    found = {}
    for path in directory.iterdir():
        match = RELEASE_SYNTHETIC.fullmatch(path.name)
        if match and path.is_file():
            found[int(match.group(1))] = path
    return dict(sorted(found.items()))


def find_import_files(directory: Path, dataset: str) -> ImportFiles:
    """The file of each kind DIR holds: the first explanations name present, ``synthetic.jsonl`` or the release's
    ``llm_da_<K>.json`` (the one matching ``dataset``'s K-shot split when there are several); the rest unread."""
    unread: list[tuple[str, str]] = []
    explanations = [directory / name for name in EXPLANATION_NAMES if (directory / name).is_file()]
    unread += [(other.name, f"{explanations[0].name} was read as the explanations") for other in explanations[1:]]
    release = _release_synthetic(directory)
    synthetic = directory / SYNTHETIC_FILE if (directory / SYNTHETIC_FILE).is_file() else None
    if synthetic is not None:
        unread += [(path.name, f"{SYNTHETIC_FILE} was read as the synthetic data") for path in release.values()]
    elif len(release) == 1:
        synthetic = next(iter(release.values()))
    elif release:
        match = _KSHOT_SPLIT.fullmatch(dataset.rsplit(":", 1)[-1].rsplit("/", 1)[-1])
        k_shot = int(match.group(1)) if match else None
        if k_shot not in release:
            raise ConfigError(f"{directory}: holds {', '.join(p.name for p in release.values())} and {dataset} is "
                              f"not a K-shot split of one of those K: keep one llm_da_<K>.json in the directory")
        synthetic = release[k_shot]
        unread += [(path.name, f"{synthetic.name} matches {dataset}") for k, path in release.items() if k != k_shot]
    return ImportFiles(explanations[0] if explanations else None, synthetic, tuple(unread))


def import_knowledge(directory: Path, relations: Mapping[str, Relation], training: Sequence[str], *, dataset: str,
                     explanations_per_relation: int, synthetic_per_relation: int,
                     real_contexts: Sequence[str] = ()) -> ImportedKnowledge:
    """Validate and convert DIR's files for the ``training`` relations; reuse the artifacts if already made."""
    found = find_import_files(directory, dataset)
    files = {kind: path for kind, path in (("explanations", found.explanations), ("synthetic", found.synthetic))
             if path is not None}
    # keyed by file name: a directory under our names keeps the source hash it always had
    digests = {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in files.values()}
    source = PREFIX + hashlib.sha256(json.dumps(digests, sort_keys=True).encode()).hexdigest()[:SOURCE_HASH_LENGTH]
    resolve = _relation_resolver(relations, training)
    common = {"dataset": dataset, "source": source, "files": digests, "training": list(training)}
    explained = synthetic = None
    if "explanations" in files:
        header = _header("explanations", common, {"per_relation": explanations_per_relation})
        explained = _load_or_convert(header, lambda: _explanation_records(
            files["explanations"], resolve, explanations_per_relation))
    if "synthetic" in files:
        header = _header("synthetic", common, {"per_relation": synthetic_per_relation})
        synthetic = _load_or_convert(header, lambda: _synthetic_records(
            files["synthetic"], resolve, synthetic_per_relation, header["key"], real_contexts))
    return ImportedKnowledge(source, explained, synthetic, {kind: path.name for kind, path in files.items()},
                             found.unread)


def import_report(imported: ImportedKnowledge) -> list[str]:
    """One line per file of the directory: what it was read as, records kept and dropped by reason; or why not read."""
    lines = []
    for kind in ("explanations", "synthetic"):
        artifact = getattr(imported, kind)
        if artifact is None:
            continue
        stats = artifact.stats
        dropped = stats.get("dropped") or {}
        reasons = ", ".join(f"{count} {reason}" for reason, count in dropped.items())
        lines.append(f"{imported.files[kind]}: read as {kind}: {stats.get('records', 0)} records, "
                     f"{len(artifact.examples)} kept, {sum(dropped.values())} dropped" + (f" ({reasons})" if reasons
                                                                                          else ""))
    lines.extend(f"{name}: not read ({why})" for name, why in imported.unread)
    return lines


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
