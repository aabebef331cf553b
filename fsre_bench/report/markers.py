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
    """``text`` with the region between the markers replaced by ``generated`` (markers kept)."""
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise DataError(f"{source}: needs exactly one {start} followed by one {end}; "
                        "add them where the generated table should go")
    before = text[: text.index(start) + len(start)]
    after = text[text.index(end):]
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
