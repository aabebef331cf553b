"""Output locations checked before any work, and a failed write one line naming its path."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from fsre_bench.errors import OutputError
from fsre_bench.output_paths import check_output_dir, check_output_file, output_error, writing


def test_a_write_error_becomes_one_line_naming_the_path() -> None:
    with pytest.raises(OutputError, match=r"^cannot write /x/y: No space left on device \[errno 28\]; nothing already"), \
            writing("/x/y"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert "rerun the same command" in str(output_error("p", OSError(errno.EROFS, "Read-only file system")))
    with pytest.raises(ValueError), writing("/x/y"):  # only OS errors are translated
        raise ValueError("other")


def test_an_output_dir_check_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"
    check_output_dir(target, "--output-dir")
    assert not (tmp_path / "a").exists()  # created to probe, then removed
    (tmp_path / "kept").mkdir()
    check_output_dir(tmp_path / "kept", "--output-dir")
    assert list((tmp_path / "kept").iterdir()) == []


def test_a_file_in_the_way_is_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"--output-dir .*file/sub: .*file is a file, not a directory"):
        check_output_dir(tmp_path / "file" / "sub", "--output-dir")
    with pytest.raises(OutputError, match=r"--out .*: is a directory; give a file path \(e\.g\. .*episodes\.jsonl\)"):
        check_output_file(tmp_path, "--out")
    check_output_file(tmp_path / "new" / "e.jsonl", "--out")
    assert not (tmp_path / "new").exists()
