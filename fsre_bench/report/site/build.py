"""``fsre-bench leaderboard --site DIR``: a static site from the result files alone.

Pages: ``index.html`` (every table, linked), one page per (dataset, protocol) with its tables (sortable,
filterable, CI bars) and the literature beside them, and one page per result file. Nothing is fetched
at view time: the one script and the one stylesheet are written beside the pages, charts are inline SVG.
Like the markdown, the same result files give the same bytes: no clock, every collection sorted.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

from fsre_bench.atomic import atomic_write_text
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import FACT_COLUMNS, assembled_and_newest, build_tables
from fsre_bench.report.literature import (
    LiteratureEntry,
    literature_tables,
    measured_counterpart,
    what_differs,
)
from fsre_bench.report.plots import relation_names, slug
from fsre_bench.report.site import svg
from fsre_bench.report.site.views import (
    FILTER_COLUMNS,
    DatasetView,
    result_view,
    table_view,
)
from fsre_bench.results import ResultFile

STATIC_FILES = ("site.css", "site.js")


def _environment():  # jinja2 loads only when a site is built
    import jinja2

    templates = resources.files("fsre_bench.report.site") / "templates"
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.globals.update(ci_bar=svg.ci_bar, relation_chart=svg.relation_chart, fact_columns=FACT_COLUMNS,
                       filter_columns=FILTER_COLUMNS)
    env.filters["pct"] = lambda value: "–" if value is None else f"{value * 100:.2f}"
    return env


def dataset_page_name(dataset: str, protocol: str) -> str:
    return f"{slug(dataset)}-{protocol}.html"


def build_site(results_dir: Path, out_dir: Path, *, include_limited: bool = False,
               literature: Sequence[LiteratureEntry] = ()) -> list[Path]:
    """Write the site under ``out_dir`` (replacing an earlier build's pages); returns the pages written."""
    results_dir, out_dir = Path(results_dir), Path(out_dir)
    rows = collect_rows(results_dir)
    shown = [row for row in rows if include_limited or not row.limited]
    env = _environment()
    pages = _dataset_pages(shown, results_dir, literature)
    footer = _footer(shown, len(rows) - len(shown))
    if (out_dir / "runs").is_dir():  # results removed since the last build must not leave their pages
        shutil.rmtree(out_dir / "runs")
    (out_dir / "runs").mkdir(parents=True, exist_ok=True)
    written = []
    # Published rows with no measured page of their split and protocol go on the index.
    unmatched = [entry for entry in literature if not any(
        measured_counterpart(entry) == page.dataset and entry.protocol == page.protocol for page in pages.values())]

    def write(name: str, template: str, **context) -> None:
        path = out_dir / name
        depth = "../" * name.count("/")
        atomic_write_text(path, env.get_template(template).render(root=depth, footer=footer, **context))
        written.append(path)

    write("index.html", "index.html.j2", pages=sorted(pages.items()), literature=literature_tables(unmatched),
          n_results=len(shown))
    for name, page in sorted(pages.items()):
        write(name, "dataset.html.j2", page=page)
    names_by_data: dict[tuple[str, str], dict[str, str]] = {}
    for run in sorted(shown, key=lambda r: str(r.path)):
        data = (run.dataset, run.result["dataset"]["sha256"])  # the names hold only for the data the run read
        if data not in names_by_data:  # loads the dataset: once per dataset, not once per result
            names_by_data[data] = relation_names(run)
        names = names_by_data[data]
        view = result_view(run, results_dir, names)
        back = dataset_page_name(run.dataset, run.protocol)
        write(view.page, "result.html.j2", result=view, back=back)
    for name in STATIC_FILES:
        source = resources.files("fsre_bench.report.site") / "static" / name
        atomic_write_text(out_dir / name, source.read_text(encoding="utf-8"))
    return written


def _dataset_pages(rows: Sequence[ResultFile], results_dir: Path,
                   literature: Sequence[LiteratureEntry]) -> dict[str, DatasetView]:
    pages: dict[str, DatasetView] = {}
    tables = build_tables(rows)
    for table in tables:
        name = dataset_page_name(table.dataset, table.protocol)
        pages.setdefault(name, DatasetView(table.dataset, protocol=table.protocol)).tables.append(
            table_view(table, results_dir))
    for page in pages.values():
        reported = [entry for entry in literature
                    if measured_counterpart(entry) == page.dataset and entry.protocol == page.protocol]
        if reported:
            shown = [table for table in tables if table.dataset == page.dataset and table.protocol == page.protocol]
            page.literature = literature_tables(reported)
            page.literature_note = what_differs(shown, reported).strip("_")
    return pages


def _footer(rows: Sequence[ResultFile], n_limited: int) -> str:
    assembled, newest = assembled_and_newest(rows)
    text = (f"Generated by fsre-bench leaderboard --site from {len(rows)} result file(s); statistics by "
            f"fsre-bench {assembled}; newest result {newest}.")
    if n_limited:
        text += f" Not shown: {n_limited} limited run(s) (--include-limited shows them)."
    return text
