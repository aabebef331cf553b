"""Episodes as a stream: written to their file one at a time, read back lazily, so memory is flat in --episodes.

A run of 100,000 episodes used to hold every ``Episode`` (and every log record) at once; now the
runner writes the episode file as the sampler yields and hands methods an ``EpisodeFileView`` that
parses the file line by line whenever it is iterated (a method that wants a list still gets one
with ``list(view)``).
"""

from __future__ import annotations

import hashlib
import itertools
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, overload

from fsre_bench.cache import canonical_json
from fsre_bench.data.common import parse_json_text
from fsre_bench.episodes.files import HEADER_KEYS, _episode, episode_record
from fsre_bench.errors import DataError
from fsre_bench.output_paths import writing
from fsre_bench.types import Episode


def write_episode_stream(path: Path, header: dict[str, Any], episodes: Iterable[Episode],
                         on_episode: Any = None) -> str:
    """Write ``header`` and ``episodes`` (any iterable) to ``path`` atomically; the file's sha256.

    Same bytes as ``write_episode_file``; ``on_episode()`` is called after each one (progress).
    """
    missing = [key for key in HEADER_KEYS if key not in header]
    if missing:
        raise DataError(f"{path}: episode file header lacks {', '.join(missing)} (use episode_file_header)")
    with writing(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            digest, count = _write_lines(fd, header, episodes, on_episode)
            if count != header["n_episodes"]:
                raise DataError(f"{path}: header says n_episodes={header['n_episodes']} but {count} episodes came")
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return digest


def _write_lines(fd: int, header: dict[str, Any], episodes: Iterable[Episode], on_episode: Any) -> tuple[str, int]:
    digest, count = hashlib.sha256(), 0
    with os.fdopen(fd, "wb") as handle:
        for line in itertools.chain([canonical_json(header)], (canonical_json(episode_record(e)) for e in episodes)):
            data = (line + "\n").encode("utf-8")
            digest.update(data)
            handle.write(data)
            if count and on_episode is not None:
                on_episode()
            count += 1
        handle.flush()
        os.fsync(handle.fileno())
    return digest.hexdigest(), count - 1


class EpisodeFileView(Sequence[Episode]):
    """Episodes ``start`` .. ``stop`` of an episode file the harness wrote, parsed only when iterated."""

    def __init__(self, path: Path, count: int, start: int = 0, stop: int | None = None):
        self.path, self._count = Path(path), count
        self._start, self._stop = start, count if stop is None else min(stop, count)

    def __len__(self) -> int:
        return max(0, self._stop - self._start)

    def __iter__(self) -> Iterator[Episode]:
        if not len(self):
            return
        with open(self.path, "rb") as handle:
            lines = itertools.islice(handle, 1 + self._start, 1 + self._stop)  # line 1 is the header
            for number, line in enumerate(lines, start=2 + self._start):
                yield _episode(parse_json_text(line, str(self.path), line=number), f"{self.path}: line {number}")

    @overload
    def __getitem__(self, index: int) -> Episode: ...

    @overload
    def __getitem__(self, index: slice) -> EpisodeFileView: ...

    def __getitem__(self, index: int | slice) -> Episode | EpisodeFileView:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return list(self)[index]  # type: ignore[return-value]  # no caller steps; kept correct anyway
            return EpisodeFileView(self.path, self._count, self._start + start, self._start + max(start, stop))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        return next(iter(self[position : position + 1]))
