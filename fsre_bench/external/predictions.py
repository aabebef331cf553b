"""An outside system's predictions file, read and checked against the episode file it answers.

Line 1: ``{"episode_file_sha256": "<the sha256 in the text file's header>"}`` (so answers to one
episode file are never scored against another: episode ids repeat across settings). Then either
one line per episode ``{"episode_id", "predictions": [label per query]}`` or one line per query
``{"episode_id", "query_index", "label"}``. Every episode answered exactly once, every label one
of the episode's candidates or NOTA; the first line that breaks a rule is named in one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fsre_bench.bounded_read import read_bounded_text
from fsre_bench.data.common import parse_json_text
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Episode

EPISODE_KEYS = frozenset({"episode_id", "predictions"})
QUERY_KEYS = frozenset({"episode_id", "query_index", "label"})


def read_external_predictions(path: Path, episodes: Sequence[Episode], episode_file_sha256: str) -> list[tuple[str, ...]]:
    """Labels per episode, in the episode file's order; a DataError naming ``path`` and the line otherwise."""
    lines = _lines(path)
    _check_header(path, lines, episode_file_sha256)
    reader = _Answers(path, {episode.id: episode for episode in episodes})
    for number, line in enumerate(lines[1:], start=2):
        if line.strip():
            reader.add(number, parse_json_text(line, str(path), line=number))
    return reader.complete(episodes)


def _lines(path: Path) -> list[str]:
    try:
        text = read_bounded_text(path, "predictions")
    except OSError as exc:
        raise DataError(f"{path}: cannot read the predictions file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    lines = text.split("\n")
    if not lines[0].strip():
        raise DataError(f"{path}: line 1: empty; the first line must be {{\"episode_file_sha256\": ...}}")
    return lines


def _check_header(path: Path, lines: list[str], expected: str) -> None:
    header = parse_json_text(lines[0], str(path), line=1)
    declared = header.get("episode_file_sha256") if isinstance(header, dict) else None
    if declared is None:
        raise DataError(f"{path}: line 1: the first line must be {{\"episode_file_sha256\": \"...\"}} "
                        "(copy it from the text file's header), before any prediction")
    if declared != expected:
        raise DataError(f"{path}: line 1: answers episode file sha256 {str(declared)[:12]}, but the episode file "
                        f"given has sha256 {expected[:12]}; score against the file these episodes came from")


class _Answers:
    """Collects answers line by line, refusing the first duplicate, unknown id or foreign label."""

    def __init__(self, path: Path, episodes: dict[str, Episode]):
        self.path, self.episodes = path, episodes
        self.shape: str | None = None
        self.labels: dict[str, dict[int, str]] = {}
        self.first_line: dict[tuple[str, int], int] = {}

    def fail(self, number: int, message: str) -> DataError:
        return DataError(f"{self.path}: line {number}: {message}")

    def add(self, number: int, record: Any) -> None:
        shape = _shape(record)
        if shape is None:
            raise self.fail(number, 'expected {"episode_id", "predictions": [...]} or '
                                    '{"episode_id", "query_index", "label"}')
        if self.shape not in (None, shape):
            raise self.fail(number, f"a per-{shape} line in a file of per-{self.shape} lines; use one form")
        self.shape = shape
        episode = self.episodes.get(str(record["episode_id"]))
        if episode is None:
            raise self.fail(number, f"episode {record['episode_id']!r} is not in the episode file")
        if shape == "episode":
            predictions = record["predictions"]
            if not isinstance(predictions, list) or len(predictions) != len(episode.queries):
                count = len(predictions) if isinstance(predictions, list) else type(predictions).__name__
                raise self.fail(number, f"episode {episode.id} has {len(episode.queries)} queries but {count} predictions")
            for index, label in enumerate(predictions):
                self._put(number, episode, index, label)
        else:
            index = record["query_index"]
            if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(episode.queries):
                raise self.fail(number, f"query_index {index!r} is not in 0..{len(episode.queries) - 1} "
                                        f"for episode {episode.id}")
            self._put(number, episode, index, record["label"])

    def _put(self, number: int, episode: Episode, index: int, label: Any) -> None:
        key = (episode.id, index)
        if key in self.first_line:
            what = f"episode {episode.id}" if self.shape == "episode" else f"episode {episode.id} query {index}"
            raise self.fail(number, f"{what} answered again (first on line {self.first_line[key]})")
        allowed = (*episode.relations, NOTA)
        if label not in allowed:
            raise self.fail(number, f"label {label!r} (episode {episode.id}, query {index}) is none of the episode's "
                                    f"candidates ({', '.join(episode.relations)}) nor {NOTA!r}")
        self.first_line[key] = number
        self.labels.setdefault(episode.id, {})[index] = label

    def complete(self, episodes: Sequence[Episode]) -> list[tuple[str, ...]]:
        out = []
        for episode in episodes:
            answered = self.labels.get(episode.id, {})
            if not answered:
                missing = sum(1 for e in episodes if e.id not in self.labels)
                raise DataError(f"{self.path}: episode {episode.id} has no predictions "
                                f"({missing} of {len(episodes)} episodes are missing)")
            unanswered = next((i for i in range(len(episode.queries)) if i not in answered), None)
            if unanswered is not None:
                raise DataError(f"{self.path}: episode {episode.id} query {unanswered} has no prediction")
            out.append(tuple(answered[i] for i in range(len(episode.queries))))
        return out


def _shape(record: Any) -> str | None:
    if isinstance(record, dict) and record.keys() >= EPISODE_KEYS:
        return "episode"
    if isinstance(record, dict) and record.keys() >= QUERY_KEYS:
        return "query"
    return None
