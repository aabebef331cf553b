"""Write-then-rename: the file appears whole or not at all, readable by others, and a failure names the path."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from fsre_bench.atomic import atomic_write_json, atomic_write_text
from fsre_bench.errors import OutputError


def test_text_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "out.txt"
    atomic_write_text(path, "first\n")
    atomic_write_text(path, "second\n")
    assert path.read_text(encoding="utf-8") == "second\n"
    assert [p.name for p in path.parent.iterdir()] == ["out.txt"]


def test_the_file_is_shared_like_any_other_the_umask_allows(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "shared.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "shared.txt").stat().st_mode) == 0o644  # not mkstemp's 0600


def test_json_is_sorted_indented_unicode_and_ends_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    atomic_write_json(path, {"b": 1, "a": "café"})
    assert path.read_text(encoding="utf-8") == '{\n  "a": "café",\n  "b": 1\n}\n'
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": 1, "a": "café"}


def test_a_failed_write_keeps_the_old_file_and_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    atomic_write_text(path, "old\n")
    with pytest.raises(TypeError):
        atomic_write_json(path, {"not json": object()})
    assert path.read_text(encoding="utf-8") == "old\n" and [p.name for p in tmp_path.iterdir()] == ["out.json"]
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(OutputError, match=r"cannot write .*a-file/out\.txt: .*\[errno"):
        atomic_write_text(blocker / "out.txt", "x")
