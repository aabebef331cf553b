"""What the site shows, as plain data for the templates: one view per leaderboard table and per result file.

Everything comes from the same objects the markdown leaderboard uses (tables, rankings, cells), so the
site and LEADERBOARD.md cannot disagree; the templates only lay the views out.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsre_bench.errors import DataError
from fsre_bench.report.cells import cell_convention, cell_marks, format_cell, format_training_data
from fsre_bench.report.leaderboard import FACT_COLUMNS, LeaderboardTable, format_parameters, method_facts
from fsre_bench.report.literature import LiteratureTable
from fsre_bench.report.plots import per_relation_accuracy, slug, wilson_interval
from fsre_bench.report.population_ci import population_cell
from fsre_bench.report.ranking import rank_table, ranking_note
from fsre_bench.report.training_groups import group_heading, group_note
from fsre_bench.results import EXTERNAL, ResultFile
from fsre_bench.results.flags import side_information, training_splits

NONE = "–"


@dataclass(frozen=True)
class ScoreView:
    """One cell: the mean and the interval the cell prints (None where the cell prints no ±)."""

    text: str
    mean: float
    low: float | None
    high: float | None
    marks: tuple[str, ...]
    result_page: str
    detail: str  # the cell's tooltip: the result file's own spread (K-shot: std over splits) and CI method


@dataclass(frozen=True)
class RowView:
    label: str
    rank_text: str
    rank_sort: float  # rank interval's lower end; unranked rows sort after every ranked one
    facts: dict[str, str]  # column name -> text, also the filter values
    scores: dict[str, ScoreView | None]
    average: float | None


@dataclass(frozen=True)
class TableView:
    anchor: str
    title: str
    dataset: str
    protocol: str
    metric: str
    settings: list[str]
    rows: list[RowView]
    notes: list[str]
    filters: dict[str, list[str]]  # column -> its distinct values, for the filter menus


@dataclass
class DatasetView:
    """One page: a dataset under one protocol, its tables (one per training group) and the literature."""

    dataset: str
    protocol: str
    tables: list[TableView] = field(default_factory=list)
    literature: list[LiteratureTable] = field(default_factory=list)
    literature_note: str = ""


# The fact columns a table can be filtered by (method type, training data, knowledge, side information).
FILTER_COLUMNS = ("Type", "Training data", "Knowledge", "Side information")


def result_page_name(run: ResultFile, results_dir: Path) -> str:
    """``runs/<path under results, '/' as '__'>.html``: unique per result file and stable across rebuilds."""
    relative = run.path.resolve().relative_to(Path(results_dir).resolve())
    return "runs/" + "__".join(relative.with_suffix("").parts) + ".html"


def table_anchor(table: LeaderboardTable) -> str:
    group = f"-{slug(table.training_group)}" if table.training_group else ""
    return f"{slug(table.dataset)}-{table.protocol}{group}"


def table_view(table: LeaderboardTable, results_dir: Path) -> TableView:
    ranking = rank_table(table)
    rows = []
    for label in ranking.order:
        lo = ranking.intervals.get(label, (len(ranking.order) + 1, 0))[0]
        rows.append(RowView(label, ranking.rank_text(label), float(lo), _facts(label, table),
                            {s: _score(table, label, s, results_dir) for s in table.settings}, table.average(label)))
    runs = [run for row in table.cells.values() for run in row.values()]
    notes = [cell_convention(table.protocol), ranking_note(table, ranking)]
    if table.training_group:
        notes.insert(0, group_note(table.training_group, table.dataset).strip("_"))  # markdown emphasis
    title = f"{table.dataset} · {table.protocol} · {table.metric.replace('_', '-')} (%)"
    title += group_heading(table.training_group) if table.training_group else ""
    filters = {column: sorted({row.facts[column] for row in rows}) for column in FILTER_COLUMNS}
    if any(run.provenance == EXTERNAL for run in runs):
        notes.append("Rows marked (declared) were scored from submitted predictions: the method facts are the "
                     "submitter's claim.")
    return TableView(table_anchor(table), title, table.dataset, table.protocol, table.metric, table.settings,
                     rows, notes, filters)


def _facts(label: str, table: LeaderboardTable) -> dict[str, str]:
    facts, declared = method_facts(label, table)
    return {column: f"{text} (declared)" if declared else text for column, text in zip(FACT_COLUMNS, facts, strict=True)}


def _score(table: LeaderboardTable, label: str, setting: str, results_dir: Path) -> ScoreView | None:
    run = table.cells[label].get(setting)
    if run is None:
        return None
    summary = {**run.summary(table.metric), **population_cell(run, table.metric)}
    interval = summary["population_ci95"]
    std = summary.get("std_over_seeds")
    spread = (f"std over {'splits' if table.protocol == 'kshot' else 'seeds'} {std * 100:.2f}; " if std is not None
              else "")
    detail = f"{spread}result file's CI: {summary['ci_method']}; cell: {summary['population_ci_method']}"
    return ScoreView(format_cell(summary, table.protocol), summary["mean"], interval[0] if interval else None,
                     interval[1] if interval else None, tuple(cell_marks(run)), result_page_name(run, results_dir),
                     detail)


# ----------------------------------------------------------------------------- result pages
@dataclass(frozen=True)
class RelationView:
    name: str
    correct: int
    total: int
    accuracy: float
    low: float
    high: float


@dataclass(frozen=True)
class ResultView:
    page: str
    title: str
    source: str  # the result file, relative to the results directory
    metrics: list[dict[str, Any]]
    facts: list[tuple[str, str]]
    per_seed: list[dict[str, Any]]
    episode_files: list[dict[str, Any]]
    relations: list[RelationView]
    overall_accuracy: float | None
    answers: list[tuple[str, int, int]]  # label, times predicted, times gold
    config_json: str
    provenance_json: str
    machine_json: str
    flags: tuple[str, ...]
    why_no_relations: str = ""


def result_view(run: ResultFile, results_dir: Path, names: dict[str, str]) -> ResultView:
    result = run.result
    metrics = [{"name": name, "mean": block["mean"], "ci95": block["ci95"], "ci_method": block["ci_method"],
                "std": block.get("std_over_seeds"), "per_seed": block.get("per_seed") or [],
                "population": population_cell(run, name)}
               for name, block in sorted(result["metrics"].items()) if isinstance(block, dict)]
    meta = result["method"]
    facts = [("Method", run.method_label), ("Dataset", run.dataset), ("Protocol", run.protocol),
             ("Setting", run.setting), ("Seeds", ", ".join(map(str, result["seeds"]))),
             ("Type", meta["type"]), ("Backbone", meta["backbone"] or NONE),
             ("Parameters", format_parameters(meta["parameters"])),
             ("Training data", format_training_data(training_splits(result)) if training_splits(result) else "none"),
             ("Knowledge", meta["knowledge_source"] or NONE),
             ("Side information", side_information(result) or "not recorded"),
             ("Numerics", run.numerics), ("Provenance", run.provenance), ("Created (UTC)", run.created_utc),
             ("Options", json.dumps(run.options_read, sort_keys=True) if run.options_read else NONE)]
    relations, overall, why = _relations(run, names)
    distribution = (result.get("answers") or {}).get("distribution") or {}
    predicted, gold = Counter(distribution.get("pred_labels") or {}), Counter(distribution.get("gold_labels") or {})
    answers = [(label.replace("__nota__", "NOTA"), predicted[label], gold[label])
               for label in sorted(set(predicted) | set(gold), key=lambda k: (-predicted[k], k))]
    per_seed = [{key: value for key, value in seed.items() if not isinstance(value, (dict, list))}
                for seed in result.get("per_seed", [])]
    episode_files = [{key: value for key, value in f.items() if key != "header"} for f in result["episodes"]["files"]]
    machine = {"env": result.get("env"), "machines": (result.get("provenance") or {}).get("machines")}
    provenance = {"harness": result.get("harness"), "provenance": result.get("provenance"),
                  "command": result.get("command"), "origin": result.get("origin")}
    return ResultView(result_page_name(run, results_dir), f"{run.method_label} · {run.dataset} · {run.setting}",
                      run.path.resolve().relative_to(Path(results_dir).resolve()).as_posix(), metrics, facts,
                      per_seed, episode_files, relations, overall, answers, _pretty(result.get("config")),
                      _pretty(provenance), _pretty(machine), tuple(cell_marks(run)), why)


def _relations(run: ResultFile, names: dict[str, str]) -> tuple[list[RelationView], float | None, str]:
    try:
        tally = per_relation_accuracy(run)
    except (DataError, OSError) as error:  # a page without logs still shows the result file, and says why
        return [], None, f"per-relation accuracy needs the predictions logs beside the result ({error})"
    views = []
    for gold in sorted(tally, key=lambda g: (tally[g][0] / tally[g][1], g)):
        correct, total = tally[gold]
        low, high = wilson_interval(correct, total)
        name = names.get(gold, gold)
        label = f"{name} ({gold})" if name != gold else gold
        views.append(RelationView(label.replace("__nota__", "NOTA"), correct, total, correct / total, low, high))
    total = sum(n for _, n in tally.values())
    return views, (sum(c for c, _ in tally.values()) / total if total else None), ""


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
