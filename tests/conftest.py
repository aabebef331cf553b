"""Shared fixtures: the real shared datasets and an isolated cache per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(os.environ.get("FSRE_BENCH_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "datasets").resolve()

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture(scope="session")
def data_dir() -> Path:
    if not (SHARED_DATA / "fewrel" / "val_wiki.json").exists():
        pytest.fail(f"shared datasets not found at {SHARED_DATA}; set FSRE_BENCH_DATA_DIR")
    return SHARED_DATA


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write ~/.cache; one cache per session so model identities are hashed once."""
    if "FSRE_BENCH_TEST_KEEP_CACHE" not in os.environ:
        os.environ["FSRE_BENCH_CACHE"] = str(tmp_path_factory.mktemp("fsre_cache"))
    os.environ["FSRE_BENCH_DATA_DIR"] = str(SHARED_DATA)
