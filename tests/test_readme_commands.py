"""Every `fsre-bench ...` command line in README.md parses with the real argument parser (parsed, not run)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from fsre_bench.cli.main import build_parser

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[str]:
    """The README's command lines (its indented code blocks), backslash continuations joined.

    A line ending in ``...`` stands for "your other flags" and is not a command as typed: skipped.
    """
    commands, pending = [], ""
    for raw in README.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("    ") and not pending:
            continue
        line = (pending + " " + raw.strip()) if pending else raw.strip()
        if line.endswith("\\"):
            pending = line[:-1].strip()
            continue
        pending = ""
        start = line.find("fsre-bench ")
        if start >= 0 and (start == 0 or line[start - 1] == "/"):
            # the command alone: no trailing comment, no shell redirection or pipe
            command = re.split(r"\s[>|]\s", line[start:].split("#")[0])[0].strip()
            if not command.endswith("..."):
                commands.append(command)
    return commands


def test_the_readme_shows_commands() -> None:
    assert len(readme_commands()) >= 5


@pytest.mark.parametrize("command", readme_commands())
def test_readme_command_parses(command: str) -> None:
    words = shlex.split(command)
    try:
        build_parser().parse_args(words[1:])
    except SystemExit as exc:  # argparse's way of refusing (and of --help/--version)
        assert exc.code == 0, f"README command does not parse: {command}"
