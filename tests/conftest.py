"""Shared fixtures: the real shared datasets and an isolated cache per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fsre_bench.numerics import portable_env
from tests.support.shared_data import SHARED_DATA, missing_shared_files

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Portable CPU kernels for the whole session, exported before any test imports torch (fsre_bench/numerics.py):
# runs default to --numerics portable and refuse a process whose torch already chose other kernels.
os.environ.update(portable_env())


def pytest_sessionstart(session: pytest.Session) -> None:
    """Missing test data is a failure of the whole run, never a silent skip."""
    missing = missing_shared_files()
    if missing:
        pytest.exit(f"shared datasets not found at {SHARED_DATA} (missing {', '.join(missing)}); "
                    "set FSRE_BENCH_DATA_DIR", returncode=1)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return SHARED_DATA


@pytest.fixture
def shared_data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache for one test, with the shared datasets as the data directory."""
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(SHARED_DATA))
    return SHARED_DATA


@pytest.fixture
def empty_data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache and an empty data directory, for tests that load dataset files by path only."""
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def tacred_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh cache and a data directory holding the TACRED-format fixture splits (tests/support/tacred_fixtures.py)."""
    from tests.support.tacred_fixtures import write_tacred

    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))
    write_tacred(tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture(autouse=True, scope="session")
def _isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never read or write ~/.cache; one cache per session so model identities are hashed once."""
    if "FSRE_BENCH_TEST_KEEP_CACHE" not in os.environ:
        os.environ["FSRE_BENCH_CACHE"] = str(tmp_path_factory.mktemp("fsre_cache"))
    os.environ["FSRE_BENCH_DATA_DIR"] = str(SHARED_DATA)
