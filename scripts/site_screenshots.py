"""Regenerate the README's site screenshots (docs/site-*.png) from the committed results, in Debian's Chromium.

    .venv/bin/python scripts/site_screenshots.py

They are checked in on purpose (the README shows them); rerun after the site's look or the results change.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from fsre_bench.cli.main import main
from fsre_bench.report.site.browser import chromium_path, launch_chromium

REPO = Path(__file__).resolve().parents[1]
SHOTS = {"site-fewrel.png": "fewrel_val_wiki-episodic.html", "site-kshot.png": "semeval2010_test-kshot.html"}


def run() -> int:
    path = chromium_path()
    if not path:
        print("error: no chromium (as root: apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        if main(["leaderboard", "--results", str(REPO / "results"), "--site", str(site)]) != 0:
            return 2
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright, path)
            page = browser.new_page(viewport={"width": 1280, "height": 760})
            for name, html in SHOTS.items():
                page.goto((site / html).as_uri())
                page.screenshot(path=str(REPO / "docs" / name))  # the viewport only: the top of the page
                print(f"docs/{name}")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(run())
