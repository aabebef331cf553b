"""Published numbers from papers: shown in their own table, labelled "reported, not run here".

They sit apart from measured rows because they differ in split (often the hidden FewRel test
set), episodes and backbone; a reader uses them to see roughly where we stand, nothing more.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.errors import DataError
from fsre_bench.report.collect import setting_order

LITERATURE_FORMAT = "fsre-bench.literature/1"
DEFAULT_LITERATURE_FILE = Path(__file__).with_name("literature.json")
_REQUIRED = ("method", "source", "split", "dataset", "protocol", "metric", "scores")


@dataclass(frozen=True)
class LiteratureEntry:
    """One method's published scores (in %) for one dataset and split, with where they are printed."""

    method: str
    source: str  # paper and table, e.g. "Han et al. 2018 (EMNLP), Table 3"
    split: str  # e.g. "FewRel 1.0 test (CodaLab)"
    dataset: str
    protocol: str
    metric: str
    scores: dict[str, float]


def load_literature(path: Path = DEFAULT_LITERATURE_FILE) -> list[LiteratureEntry]:
    """Entries of a literature file; each must name its source and split."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot read the literature file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != LITERATURE_FORMAT:
        raise DataError(f"{path}: not a literature file (no \"format\": \"{LITERATURE_FORMAT}\")")
    return [_entry(raw, path, index) for index, raw in enumerate(data.get("entries", []))]


def _entry(raw: Any, path: Path, index: int) -> LiteratureEntry:
    missing = [key for key in _REQUIRED if not isinstance(raw, dict) or not raw.get(key)]
    if missing:
        raise DataError(f"{path}: entry {index} lacks {', '.join(missing)} (a published number needs its source and split)")
    scores = {str(k): float(v) for k, v in raw["scores"].items()}
    return LiteratureEntry(raw["method"], raw["source"], raw["split"], raw["dataset"], raw["protocol"],
                           raw["metric"], scores)


def render_literature_tables(entries: Sequence[LiteratureEntry]) -> str:
    """One table per (dataset, protocol, metric), after the measured tables."""
    grouped: dict[tuple[str, str, str], list[LiteratureEntry]] = defaultdict(list)
    for entry in entries:
        grouped[(entry.dataset, entry.protocol, entry.metric)].append(entry)
    parts = []
    for (dataset, protocol, metric), group in sorted(grouped.items()):
        settings = sorted({s for e in group for s in e.scores}, key=setting_order)
        lines = [f"### Reported in the literature, not run here: {dataset} · {protocol} · {metric} (%)", "",
                 "| " + " | ".join(["Method", *settings, "Source", "Split"]) + " |",
                 "| " + " | ".join(["---", *["---:"] * len(settings), "---", "---"]) + " |"]
        for entry in sorted(group, key=lambda e: (e.method, e.source)):
            scores = [f"{entry.scores[s]:.2f}" if s in entry.scores else "–" for s in settings]
            lines.append("| " + " | ".join([entry.method, *scores, entry.source, entry.split]) + " |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
