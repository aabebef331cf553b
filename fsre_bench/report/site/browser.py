"""Debian's Chromium driven by playwright, for the site's browser test and its README screenshots.

playwright cannot download its own browser build on this machine kind, so it is pointed at the system
chromium (``FSRE_BENCH_CHROMIUM`` overrides the path). The flags are the machine probe's: without the
background-networking ones Chromium keeps dialling out, and the closed network refuses it many times over.
"""

from __future__ import annotations

import os
import shutil
from typing import Any

CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage")


def chromium_path() -> str | None:
    return os.environ.get("FSRE_BENCH_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def launch_chromium(playwright: Any, path: str) -> Any:
    return playwright.chromium.launch(executable_path=path, headless=True, args=list(CHROMIUM_ARGS))
