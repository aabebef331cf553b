"""Generated markdown goes between two marker lines; everything else in the file is a person's and stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.report.marked_region import (
    ABLATION_END,
    ABLATION_START,
    LEADERBOARD_END,
    LEADERBOARD_START,
    replace_between_markers,
    write_region,
)

PAGE = f"# Title\n\nProse naming `{LEADERBOARD_START}` in backticks.\n\n{LEADERBOARD_START}\nold\n{LEADERBOARD_END}\n\nAfter.\n"


def test_only_the_region_between_marker_lines_is_replaced() -> None:
    new = replace_between_markers(PAGE, "| new |\n", "README.md")
    assert new == PAGE.replace("\nold\n", "\n| new |\n")


@pytest.mark.parametrize("text", ["no markers\n", f"{LEADERBOARD_END}\n{LEADERBOARD_START}\n",
                                  f"{LEADERBOARD_START}\n{LEADERBOARD_START}\n{LEADERBOARD_END}\n",
                                  f"see `{LEADERBOARD_START}` and `{LEADERBOARD_END}`\n"])
def test_anything_but_one_start_line_then_one_end_line_is_refused(text: str) -> None:
    with pytest.raises(DataError, match=r"README\.md: needs exactly one line <!-- fsre-bench:leaderboard:start -->"):
        replace_between_markers(text, "x", "README.md")


def test_write_region_creates_updates_and_leaves_an_unchanged_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "ABLATION.md"
    assert write_region(path, "table 1", title="Ablations", start=ABLATION_START, end=ABLATION_END)
    assert path.read_text(encoding="utf-8") == f"# Ablations\n\n{ABLATION_START}\ntable 1\n{ABLATION_END}\n"
    mtime = path.stat().st_mtime_ns
    assert not write_region(path, "table 1", title="Ablations", start=ABLATION_START, end=ABLATION_END)
    assert path.stat().st_mtime_ns == mtime
    assert write_region(path, "table 2", title="ignored", start=ABLATION_START, end=ABLATION_END)
    assert "table 2" in path.read_text(encoding="utf-8") and "table 1" not in path.read_text(encoding="utf-8")


def test_a_missing_file_without_create_and_a_file_without_markers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        write_region(tmp_path / "absent.md", "x", title="t", create=False)
    person = tmp_path / "README.md"
    person.write_text("# Mine\n", encoding="utf-8")
    with pytest.raises(DataError, match="needs exactly one line"):
        write_region(person, "x", title="t")
    assert person.read_text(encoding="utf-8") == "# Mine\n"
