"""What ``fsre-bench tkre knowledge --show`` prints: a listing of artifacts, or one artifact's examples."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fsre_bench.errors import ConfigError, DataError
from tkre.knowledge.artifact import (
    ArtifactSummary,
    KnowledgeArtifact,
    iter_artifacts,
    knowledge_dir,
    load_artifact,
)

KEY_SHOWN = 12
COLUMNS = ["kind", "key", "dataset", "source", "relations", "examples", "rejected"]


def rejection_summary(stats: dict[str, Any]) -> str:
    """Synthetic: the non-zero rejection shares; explanations: failed and empty replies."""
    if "rejected_share" in stats:
        shares = [f"{name} {value:.0%}" for name, value in stats["rejected_share"].items() if value]
        return ", ".join(shares) or "none"
    return f"failed {stats.get('failed_requests', 0)}, empty {stats.get('empty_replies', 0)}"


def _row(summary: ArtifactSummary) -> list[str]:
    if summary.error:
        return ["?", summary.path.name, "", "", "", "", f"corrupt: {summary.error}"]
    header, stats = summary.header, summary.stats
    examples = str(summary.n_examples)
    if header.get("kind") == "synthetic":
        examples += f" of {stats.get('lines', 0)} lines"
    return [header.get("kind", "?"), str(header.get("key", ""))[:KEY_SHOWN], header.get("dataset", ""),
            header.get("source", ""), str(len(header.get("relations", {}))), examples, rejection_summary(stats)]


def format_rows(summaries: Sequence[ArtifactSummary]) -> list[str]:
    """Aligned plain-text rows (readable at any terminal width, and greppable)."""
    rows = [COLUMNS, *(_row(s) for s in summaries)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    return ["  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]) for row in rows]


def print_listing() -> None:
    """Every artifact in the knowledge directory (corrupt ones flagged)."""
    summaries = list(iter_artifacts())
    if not summaries:
        print(f"no knowledge artifacts in {knowledge_dir()}; build one with `fsre-bench tkre knowledge --build`")
        return
    print(f"TKRE knowledge artifacts in {knowledge_dir()}")
    print("\n".join(format_rows(summaries)))


def print_built(artifacts: Sequence[KnowledgeArtifact]) -> None:
    summaries = [ArtifactSummary(a.path, a.header, a.stats, len(a.examples)) for a in artifacts]
    print("\n".join(format_rows(summaries)))
    for artifact in artifacts:
        reused = "reused" if artifact.stats.get("cache_hit") else "written"
        print(f"{artifact.kind} {artifact.key} {reused}: {artifact.path}")


def find_artifact(prefix: str) -> KnowledgeArtifact:
    """The one complete artifact whose key starts with ``prefix`` (one-line errors otherwise)."""
    matches = [s for s in iter_artifacts() if not s.error and str(s.header.get("key", "")).startswith(prefix)]
    if not matches:
        broken = [s for s in iter_artifacts() if s.error and prefix in s.path.name]
        if broken:
            raise DataError(f"{broken[0].error}; rebuild it with `fsre-bench tkre knowledge --build`")
        raise ConfigError(
            f"no knowledge artifact with key prefix {prefix!r} in {knowledge_dir()}; "
            f"list them with `fsre-bench tkre knowledge --show`"
        )
    if len(matches) > 1:
        keys = ", ".join(str(s.header["key"]) for s in matches[:5])
        raise ConfigError(f"key prefix {prefix!r} matches {len(matches)} artifacts ({keys}); give more characters")
    return load_artifact(matches[0].path)


def _span_text(record: dict[str, Any], name: str) -> str:
    span = record.get(f"{name}_span")
    if span is None:
        return f"{record.get(name)!r} (not found)"
    return f"{' '.join(record['tokens'][span[0]:span[1]])!r} @ tokens {span[0]}-{span[1]}"


def print_artifact(prefix: str, relation: str | None, n: int) -> None:
    """The header, the stats that matter and ``n`` examples (of ``relation``, an id or name)."""
    artifact = find_artifact(prefix)
    header, stats = artifact.header, artifact.stats
    names = {rel: meta.get("name", rel) for rel, meta in header.get("relations", {}).items()}
    if relation is not None and relation not in names:
        by_name = [rel for rel, name in names.items() if name == relation]
        if not by_name:
            raise ConfigError(f"--relation {relation!r} is not in artifact {artifact.key}; it has: {', '.join(names)}")
        relation = by_name[0]
    print(f"{artifact.kind} {artifact.key}  dataset {header.get('dataset')}  source {artifact.source}  "
          f"seed {header.get('seed')}  prompt {header.get('prompt_version')}")
    print(f"file: {artifact.path}")
    print(f"params: {header.get('params')}")
    print(f"examples: {len(artifact.examples)}  rejected: {rejection_summary(stats)}")
    for key in ("relations_without_valid", "relations_without_examples", "relations_short"):
        if stats.get(key):
            print(f"{key}: {', '.join(stats[key])}")
    records = [r for r in artifact.records if relation is None or r["relation"] == relation]
    for record in records[:n]:
        print()
        print(f"[{record['relation']}: {names.get(record['relation'], '')}] {record.get('instance_id')}")
        print(f"  {record.get('line') or record.get('text')}")
        print(f"  head {_span_text(record, 'head')}; tail {_span_text(record, 'tail')}")
    if len(records) > n:
        print(f"\n({len(records) - n} more; --n to show more)")
