"""One cache root, content-addressed keys from canonical JSON, and file hashes in chunks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fsre_bench.cache import cache_dir, cache_root, canonical_json, content_hash, file_sha256


def test_the_root_is_the_environments_and_directories_are_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "root"))
    assert cache_root() == tmp_path / "root" and cache_root().is_dir()
    assert cache_dir("episodes", "x") == tmp_path / "root" / "episodes" / "x" and cache_dir("episodes", "x").is_dir()
    monkeypatch.setenv("FSRE_BENCH_CACHE", "")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_root() == tmp_path / "home" / ".cache" / "fsre_bench"


def test_equal_values_give_equal_bytes_and_keys() -> None:
    assert canonical_json({"b": [1, 2], "a": "é"}) == '{"a":"é","b":[1,2]}'
    assert canonical_json({"p": Path("/x")}) == '{"p":"/x"}'  # anything else by its str
    assert content_hash({"a": 1, "b": 2}) == content_hash({"b": 2, "a": 1})
    assert content_hash("model", {"a": 1}) != content_hash("model", {"a": 2}) != content_hash("other", {"a": 1})
    assert content_hash(1, 2) != content_hash([1, 2])  # the parts are a list: nesting counts
    assert content_hash("x") == hashlib.sha256(b'["x"]').hexdigest()
    assert content_hash("x", length=12) == content_hash("x")[:12]


def test_file_sha256_matches_hashlib_across_chunk_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(bytes(range(256)) * 41)
    expected = hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_sha256(path) == file_sha256(path, chunk_size=100) == expected
