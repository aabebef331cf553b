"""A method built without an explicit cache directory uses the one cache root ($FSRE_BENCH_CACHE)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.cache import cache_root
from fsre_bench.methods.interface import MethodConfig


def test_method_config_cache_dir_honours_fsre_bench_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "elsewhere"))
    assert MethodConfig().cache_dir == tmp_path / "elsewhere" == cache_root()
    assert (tmp_path / "elsewhere").is_dir()
