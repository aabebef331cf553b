"""The static site from the committed result files: every page there, same bytes on rebuild, nothing fetched
from outside, and the numbers and row order it shows equal the result files' and the markdown ranking's.
The browser side (sorting, filtering, click-through) is tests/test_report_site_browser.py."""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import build_tables
from fsre_bench.report.ranking import rank_table
from fsre_bench.report.site.build import dataset_page_name
from fsre_bench.report.site.views import result_page_name

RESULTS = Path(__file__).resolve().parents[1] / "results"


def build(out: Path) -> None:
    assert main(["leaderboard", "--results", str(RESULTS), "--site", str(out)]) == 0


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build(out)
    return out


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*"))
            if p.is_file()}


class Elements(HTMLParser):
    """Every start tag with its attributes, and each table row's attributes and cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.rows: list[tuple[dict[str, str], list[str]]] = []  # each <tr>: attributes, cell texts
        self._cells: list[str] | None = None
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag == "tr":
            self._cells = []
            self.rows.append((attributes, self._cells))
        elif tag in ("td", "th") and self._cells is not None:
            self._cells.append("")
            self._in_cell = True

    def handle_endtag(self, tag):
        if tag in ("td", "th", "tr"):
            self._in_cell = False

    def handle_data(self, data):
        if self._cells and self._in_cell:
            self._cells[-1] += data


def parse(path: Path) -> Elements:
    parser = Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_the_site_has_an_index_a_page_per_table_and_a_page_per_result_and_rebuilds_to_the_same_bytes(site, tmp_path):
    rows = collect_rows(RESULTS)
    assert (site / "index.html").is_file() and (site / "site.js").is_file() and (site / "site.css").is_file()
    for row in rows:
        assert (site / result_page_name(row, RESULTS)).is_file(), row.path
        assert (site / dataset_page_name(row.dataset, row.protocol)).is_file(), row.dataset
    assert len(list((site / "runs").glob("*.html"))) == len(rows)
    again = tmp_path / "again"
    build(again)
    assert digest(again) == digest(site)


def test_no_page_loads_anything_from_outside_the_site(site):
    for page in site.rglob("*.html"):
        for tag, attributes in parse(page).tags:
            for name in ("src", "href"):
                target = attributes.get(name, "")
                assert not re.match(r"^(https?:)?//", target), f"{page.name}: <{tag} {name}={target}>"
                if target and not target.startswith("#"):
                    assert (page.parent / target.split("#")[0]).is_file(), f"{page.name}: broken link {target}"


def test_a_result_page_shows_the_result_files_numbers(site):
    for row in collect_rows(RESULTS):
        page = parse(site / result_page_name(row, RESULTS))
        shown = {attrs["data-metric"]: cells for attrs, cells in page.rows if "data-metric" in attrs}
        for metric, block in row.result["metrics"].items():
            if not isinstance(block, dict):
                continue
            assert shown[metric][1].strip() == f"{block['mean'] * 100:.2f}", (row.path, metric)
            per_seed = ", ".join(f"{v * 100:.2f}" for v in block["per_seed"])
            assert shown[metric][5].strip() == per_seed, (row.path, metric)


def test_each_table_lists_its_rows_in_the_markdown_rankings_order_with_its_rank_intervals(site):
    tables = build_tables(collect_rows(RESULTS))
    assert tables
    for table in tables:
        ranking = rank_table(table)
        page = parse(site / dataset_page_name(table.dataset, table.protocol))
        # The page holds the table's rows in order (with other groups' tables around them).
        listed = [(cells[0].strip(), cells[1].strip()) for attrs, cells in page.rows if "data-type" in attrs]
        expected = [(label, ranking.rank_text(label)) for label in ranking.order]
        start = listed.index(expected[0])
        assert listed[start:start + len(expected)] == expected, table.dataset


def test_literature_rows_stand_apart_on_their_splits_page(site):
    text = (site / dataset_page_name("fewrel/val_wiki", "episodic")).read_text(encoding="utf-8")
    assert 'class="literature"' in text and "Reported in the literature, not run here" in text
    assert text.index('class="board"') < text.index('class="literature"')


def test_site_alone_leaves_the_markdown_untouched_and_a_file_in_the_way_is_one_line(tmp_path, capsys):
    from tests.support.cli_helpers import fails_with_one_line

    results = tmp_path / "results"
    import shutil

    shutil.copytree(RESULTS / "runs" / "semeval2010_test" / "kshot" / "K8", results / "runs" / "K8")
    assert main(["leaderboard", "--results", str(results), "--site", str(tmp_path / "site")]) == 0
    assert not (results / "LEADERBOARD.md").exists()
    assert (tmp_path / "site" / "index.html").is_file()
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    fails_with_one_line(capsys, ["leaderboard", "--results", str(results), "--site", str(blocker)], "not a directory")


def test_kshot_cells_keep_the_std_over_splits_beside_the_generalising_interval(site):
    (table,) = [t for t in build_tables(collect_rows(RESULTS)) if t.protocol == "kshot"]
    run = table.cells["proto"]["K=8"]
    std = run.summary(table.metric)["std_over_seeds"]
    page = parse(site / dataset_page_name(table.dataset, table.protocol))
    titles = [attrs.get("title", "") for tag, attrs in page.tags if tag == "td" and "score" in attrs.get("class", "")]
    assert any(f"std over splits {std * 100:.2f}" in title for title in titles)
