"""The site from the committed results, driven in a real browser: Debian's Chromium through playwright's
Python API (playwright cannot download its own browser here; scripts/setup.sh installs chromium).

Pages are served on loopback; every request is recorded and any that would leave the machine fails the
test. Screenshots go to $FSRE_BENCH_ARTEFACTS/site-screenshots (default ./artefacts, git-ignored).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import build_tables
from fsre_bench.report.site.browser import chromium_path as system_chromium
from fsre_bench.report.site.browser import launch_chromium
from fsre_bench.report.site.build import dataset_page_name
from fsre_bench.report.site.views import result_page_name, table_anchor

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "results"


def chromium_path() -> str:
    path = system_chromium()
    if not path:  # missing test tooling is a failure, never a skip
        pytest.fail("no chromium on PATH: scripts/setup.sh installs Debian's chromium (apt-get, as root)")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    site = tmp_path_factory.mktemp("site")
    assert main(["leaderboard", "--results", str(RESULTS), "--site", str(site)]) == 0
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield site, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test reads what was requested from the browser, not the log
        pass


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright, chromium_path())
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, served):
    _site, base = served
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.problems = []  # console errors, page errors, and requests that are not to the loopback server
    page.on("console", lambda message: message.type == "error" and page.problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: page.problems.append(f"page error: {error}"))
    loopback = urlparse(base).netloc

    def route(route):
        if urlparse(route.request.url).netloc != loopback:
            page.problems.append(f"request leaving the machine: {route.request.url}")
            return route.abort()
        return route.continue_()

    page.route("**/*", route)
    yield page
    context.close()


def artefacts() -> Path:
    folder = Path(os.environ.get("FSRE_BENCH_ARTEFACTS", REPO / "artefacts")) / "site-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def screenshot(page, name: str) -> None:
    path = artefacts() / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000, f"{path}: {path.stat().st_size} bytes, not a rendered page"


def fewrel_table():
    (table,) = [t for t in build_tables(collect_rows(RESULTS)) if t.dataset == "fewrel/val_wiki" and
                t.protocol == "episodic" and not t.training_group]
    return table


def open_fewrel_page(page, served):
    """The FewRel val_wiki episodic page (its FewRel-trained or untrained table): the table and its section id."""
    _site, base = served
    table = fewrel_table()
    page.goto(base + dataset_page_name(table.dataset, table.protocol))
    return table, table_anchor(table)


def visible_methods(page, section: str) -> list[str]:
    return page.locator(f"section#{section} table.sortable tbody tr:visible td.method").all_inner_texts()


def test_every_page_loads_with_no_console_error_and_no_request_leaving_the_machine(page, served):
    site, base = served
    names = ["index.html", *sorted(p.name for p in site.glob("*.html") if p.name != "index.html")]
    names.append(sorted(str(p.relative_to(site)) for p in (site / "runs").glob("*.html"))[0])
    for name in names:
        page.goto(base + name)
        page.wait_for_load_state("load")
        assert page.locator("main h1").count() == 1, name
        screenshot(page, name.replace("/", "_").removesuffix(".html"))
    assert page.problems == []


def test_clicking_a_setting_header_orders_rows_by_that_settings_mean(page, served):
    table, section = open_fewrel_page(page, served)
    setting = table.settings[-1]
    header = page.locator(f"section#{section} thead th", has_text=re.compile(f"^{re.escape(setting)}$")).first
    header.click()
    means = {label: row[setting].summary(table.metric)["mean"] for label, row in table.cells.items() if setting in row}
    expected = sorted(means, key=lambda label: -means[label])  # best first; rows without the setting after
    shown = visible_methods(page, section)
    assert shown[:len(expected)] == expected
    assert header.get_attribute("aria-sort") == "descending"
    header.click()
    assert visible_methods(page, section)[-len(expected):] == expected[::-1]
    page.locator(f"section#{section} thead th", has_text=re.compile("^Method$")).first.click()
    assert visible_methods(page, section) == sorted(table.cells, key=str.lower)
    assert page.problems == []


def test_a_filter_hides_exactly_the_rows_it_should(page, served):
    table, section = open_fewrel_page(page, served)
    types = {label: next(iter(row.values())).result["method"]["type"] for label, row in table.cells.items()}
    assert len(set(types.values())) > 1, "the fixture needs two method types to filter between"
    chosen = "metric"
    page.locator(f"section#{section} select[data-filter='Type']").select_option(chosen)
    assert sorted(visible_methods(page, section)) == sorted(label for label, t in types.items() if t == chosen)
    counter = page.locator(f"section#{section} .shown").inner_text()
    assert counter == f"{sum(t == chosen for t in types.values())} of {len(types)} rows shown"
    page.locator(f"section#{section} select[data-filter='Type']").select_option("")
    assert len(visible_methods(page, section)) == len(types)
    assert page.problems == []


def test_clicking_a_score_opens_its_result_with_the_result_files_numbers(page, served):
    table, section = open_fewrel_page(page, served)
    label = visible_methods(page, section)[0]
    setting = table.settings[0]
    run = table.cells[label][setting]
    page.locator(f"section#{section} a[href='{result_page_name(run, RESULTS)}']").click()
    page.wait_for_load_state("load")
    assert page.url.endswith(result_page_name(run, RESULTS))
    for metric, block in run.result["metrics"].items():
        if isinstance(block, dict):
            shown = page.locator(f"#metrics tr[data-metric='{metric}'] td.mean").inner_text()
            assert shown == f"{block['mean'] * 100:.2f}", metric
    assert page.locator("svg.relations").count() == 1
    screenshot(page, "result-clicked")
    assert page.problems == []
