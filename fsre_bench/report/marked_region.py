"""Write generated markdown between two HTML-comment markers, leaving the rest of the file alone."""

from __future__ import annotations

from pathlib import Path

from fsre_bench.atomic import atomic_write_text
from fsre_bench.errors import DataError

LEADERBOARD_START = "<!-- fsre-bench:leaderboard:start -->"
LEADERBOARD_END = "<!-- fsre-bench:leaderboard:end -->"
ABLATION_START = "<!-- fsre-bench:ablation:start -->"
ABLATION_END = "<!-- fsre-bench:ablation:end -->"


def replace_between_markers(text: str, generated: str, source: str,
                            start: str = LEADERBOARD_START, end: str = LEADERBOARD_END) -> str:
    """``text`` with the region between the markers replaced by ``generated`` (markers kept).

    A marker counts only on a line of its own: prose that names the markers (this project's README
    does, in backticks) must never be taken for the region and overwritten.
    """
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.strip() == start]
    ends = [i for i, line in enumerate(lines) if line.strip() == end]
    if len(starts) != 1 or len(ends) != 1 or starts[0] > ends[0]:
        raise DataError(f"{source}: needs exactly one line {start} followed by one line {end}; "
                        "add them where the generated table should go")
    before = "".join(lines[: starts[0] + 1]).rstrip("\n")
    after = "".join(lines[ends[0]:])
    return f"{before}\n{generated.strip()}\n{after}"


def write_region(path: Path, generated: str, *, title: str, create: bool = True,
                 start: str = LEADERBOARD_START, end: str = LEADERBOARD_END) -> bool:
    """Put ``generated`` between the markers of ``path``; returns whether the file's bytes changed.

    A missing file is created (with ``title``) when ``create``; an existing file without markers is
    refused rather than guessed at, because its other content belongs to a person.
    """
    path = Path(path)
    if path.exists():
        try:
            old = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot read it to update its generated region ({exc})") from None
    elif create:
        old = f"# {title}\n\n{start}\n{end}\n"
    else:
        raise DataError(f"{path}: no such file")
    new = replace_between_markers(old, generated, str(path), start, end)
    if path.exists() and new == old:
        return False  # leave the mtime alone: nothing to regenerate
    atomic_write_text(path, new)
    return True
