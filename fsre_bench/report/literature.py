"""Published numbers from papers: shown in their own table, labelled "reported, not run here".

They sit apart from measured rows because they differ in split (often the hidden FewRel test
set), episodes, backbone and training data (the papers train on FewRel train_wiki, which the
offline runs here never see); every row says its backbone and training data so that no reader
takes it for a comparable row. A reader uses them to see roughly where we stand, nothing more.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fsre_bench.errors import DataError

LITERATURE_FORMAT = "fsre-bench.literature/1"
DEFAULT_LITERATURE_FILE = Path(__file__).with_name("literature.json")
_REQUIRED = ("method", "backbone", "training_data", "source", "split", "dataset", "protocol", "metric", "scores")
INTRO = ("_Reported in the literature, not run here: each row is copied from its source, with the backbone it used "
         "and the data it was trained on. Not comparable with the measured tables above (other splits, episodes, "
         "backbones and training relations)._")


@dataclass(frozen=True)
class LiteratureEntry:
    """One method's published scores (in %) for one dataset and split, with where they are printed."""

    method: str
    backbone: str  # e.g. "BERT", "CNN"
    training_data: str  # e.g. "FewRel train_wiki (64 relations)"
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
        raise DataError(f"{path}: entry {index} lacks {', '.join(missing)} "
                        "(a published number needs its source, split, backbone and training data)")
    scores = {str(k): float(v) for k, v in raw["scores"].items()}
    return LiteratureEntry(raw["method"], raw["backbone"], raw["training_data"], raw["source"], raw["split"],
                           raw["dataset"], raw["protocol"], raw["metric"], scores)


# A hidden test split's reported numbers stand beside our rows on its public counterpart.
HIDDEN_TEST_COUNTERPART = {"fewrel/test_wiki": "fewrel/val_wiki", "fewrel/test_pubmed": "fewrel/val_pubmed"}


def measured_counterpart(entry: LiteratureEntry) -> str:
    """The dataset whose measured table an entry stands beside (val for a hidden test split)."""
    return HIDDEN_TEST_COUNTERPART.get(entry.dataset, entry.dataset)


def what_differs(tables: Sequence[Any], entries: Sequence[LiteratureEntry]) -> str:
    """One plain sentence: backbone, training data and split of the measured tables vs the reported rows."""
    from fsre_bench.report.training_groups import describe_training
    from fsre_bench.results.flags import training_splits

    runs = [run for table in tables for row in table.cells.values() for run in row.values()]
    backbones = sorted({f"{run.result['method']['backbone']} ({_millions(run.result['method']['parameters'])})"
                        for run in runs if run.result["method"]["backbone"]})
    trained = sorted({describe_training(name) for run in runs for name in training_splits(run.result)})
    ours_split = tables[0].dataset
    return (f"_Measured above vs reported below: backbone {', '.join(backbones) or 'none'} here, "
            f"{_listed(e.backbone for e in entries)} there; training data {'; '.join(trained) or 'none'} here, "
            f"{_listed(e.training_data for e in entries)} there; split {ours_split} with our episodes here, "
            f"{_listed(e.split for e in entries)} there. Reported rows say where the field stands, "
            "they are not run here._")


def _listed(values: Any) -> str:
    return "; ".join(dict.fromkeys(values))


def _millions(parameters: int | None) -> str:
    return f"{parameters / 1e6:.1f}M parameters" if parameters else "size not recorded"


@dataclass(frozen=True)
class LiteratureTable:
    """The published rows of one (split, dataset, protocol, metric): the markdown's and the site's table."""

    title: str
    settings: list[str]  # in the order the file first lists them (a paper's own, e.g. NOTA 0% / 15% / 30% / 50%)
    entries: list[LiteratureEntry]  # in the file's order

    def scores(self, entry: LiteratureEntry) -> list[str]:
        return [f"{entry.scores[s]:.2f}" if s in entry.scores else "–" for s in self.settings]


def literature_tables(entries: Sequence[LiteratureEntry]) -> list[LiteratureTable]:
    grouped: dict[tuple[str, str, str, str], list[LiteratureEntry]] = defaultdict(list)
    for entry in entries:
        grouped[(entry.split, entry.dataset, entry.protocol, entry.metric)].append(entry)
    return [LiteratureTable(f"Reported in the literature, not run here: {split} · {dataset} · {protocol} · "
                            f"{metric} (%)", list(dict.fromkeys(s for e in group for s in e.scores)), group)
            for (split, dataset, protocol, metric), group in grouped.items()]


def render_literature_tables(entries: Sequence[LiteratureEntry], intro: str | None = INTRO) -> str:
    """One table per (split, dataset, protocol, metric), after the measured tables."""
    parts = [intro] if intro else []
    for table in literature_tables(entries):
        lines = [f"### {table.title}", "",
                 _row(["Method", "Backbone", "Training data", *table.settings, "Source"]),
                 _row(["---", "---", "---", *["---:"] * len(table.settings), "---"])]
        for entry in table.entries:
            lines.append(_row([entry.method, entry.backbone, entry.training_data, *table.scores(entry), entry.source]))
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
