"""Append-only per-episode predictions, flushed per episode; a rerun resumes after the last line.

Line 1 is a header naming what the log belongs to; each further line is one episode's answers,
canonical JSON, so an interrupted-then-resumed run ends with the same bytes as an uninterrupted
one. Volatile per-query facts (latency, cache hits) go to a sibling ``.calls.jsonl``.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fsre_bench.atomic import atomic_write_text
from fsre_bench.cache import canonical_json
from fsre_bench.output_paths import output_error, writing
from fsre_bench.results.predictions import LOG_FORMAT
from fsre_bench.types import Episode, EpisodePrediction


class PredictionsLog:
    def __init__(self, path: Path, header: dict[str, Any]):
        self.path = path
        self.calls_path = path.with_name(path.name.replace(".predictions.jsonl", ".calls.jsonl"))
        # One line per run that appended to the log: from which episode, at which harness state.
        self.segments_path = path.with_name(path.name.replace(".predictions.jsonl", ".segments.jsonl"))
        self.timing_path = path.with_name(path.name.replace(".predictions.jsonl", ".timing.jsonl"))
        self.header = {"format": LOG_FORMAT, **header}
        self._handle: Any = None
        self._calls: Any = None

    def completed(self, episodes: Sequence[Episode]) -> int:
        """How many leading episodes the log already holds; repairs a torn last line; 0 if mismatched.

        Read line by line (a 100,000-episode log is never held whole), beside the episodes in order.
        """
        if not self.path.exists():
            return 0
        size = self.path.stat().st_size
        with open(self.path, "rb") as handle:
            first = handle.readline()
            if not first.endswith(b"\n") or parse_line(first.decode("utf-8")) != self.header:
                handle.close()
                self._reset()
                return 0
            done, keep = 0, len(first)
            episode_iter = iter(episodes)
            for line in handle:  # lines end at b"\n" only: a reply's U+2028 stays inside its line
                episode = next(episode_iter, None)
                if episode is None or not line.endswith(b"\n"):  # no newline: cut by a kill
                    break
                record = parse_line(line.decode("utf-8"))
                if not record or record.get("episode") != episode.id:
                    break
                done, keep = done + 1, keep + len(line)
        self._truncate(keep, size)
        return done

    def drop_failed(self) -> int:
        """Cut the log before its first episode with a failed request, so a rerun retries from there.

        Later episodes are predicted again too, but their successful replies come from the LLM
        response cache, so only the failed requests reach the endpoint. Returns the episodes kept.
        """
        if not self.path.exists():
            return 0
        raw = self.path.read_bytes()
        lines = raw.split(b"\n")[:-1]
        kept = 1
        while kept < len(lines) and not (parse_line(lines[kept].decode("utf-8")) or {}).get("failures"):
            kept += 1
        self._truncate(sum(len(line) + 1 for line in lines[:kept]), len(raw))
        return kept - 1

    def _truncate(self, keep: int, size: int) -> None:
        if keep != size:
            with writing(self.path), open(self.path, "r+b") as handle:
                handle.truncate(keep)

    def append(self, episode: Episode, prediction: EpisodePrediction) -> None:
        with writing(self.path):
            self._append(episode, prediction)

    def _append(self, episode: Episode, prediction: EpisodePrediction) -> None:
        if self._handle is None:
            new = not self.path.exists() or self.path.stat().st_size == 0
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - held open across appends
            if new:
                self._handle.write(canonical_json(self.header) + "\n")
        record: dict[str, Any] = {
            "episode": episode.id,
            "pred": list(prediction.labels),
            "gold": list(episode.labels),
            "failures": prediction.failures,
        }
        if prediction.details:
            record["details"] = prediction.details
        self._handle.write(canonical_json(record) + "\n")
        self._handle.flush()  # a SIGKILL loses at most the episode in flight
        if prediction.volatile:
            if self._calls is None:
                self._calls = open(self.calls_path, "a", encoding="utf-8")  # noqa: SIM115 - held open across appends
            self._calls.write(json.dumps({"episode": episode.id, "queries": prediction.volatile}) + "\n")
            self._calls.flush()

    def close(self) -> None:
        """Flush, fsync and close; every handle is closed even when the disk refuses the flush."""
        error: OSError | None = None
        for handle in (self._handle, self._calls):
            if handle is None:
                continue
            try:
                handle.flush()
                os.fsync(handle.fileno())
            except OSError as exc:
                error = error or exc
            finally:
                with contextlib.suppress(OSError):  # its flush fails again; the fd is closed regardless
                    handle.close()
        self._handle = self._calls = None
        if error is not None:
            raise output_error(self.path, error)

    def start_segment(self, from_episode: int, harness: dict[str, Any]) -> None:
        """Record that episodes from ``from_episode`` on are predicted by the harness state ``harness``."""
        # Segments at or after ``from_episode`` were cut from the log (a torn or mismatched tail): drop them.
        kept = [seg for seg in self._recorded_segments() if seg["from_episode"] < from_episode]
        kept.append({"from_episode": from_episode, "harness": harness})
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.segments_path, "".join(canonical_json(seg) + "\n" for seg in kept))

    def segments(self) -> list[dict[str, Any]]:
        """Who predicted which episodes; episodes before the first recorded segment: harness unknown (None)."""
        segments = self._recorded_segments()
        if not segments or segments[0]["from_episode"] != 0:
            segments.insert(0, {"from_episode": 0, "harness": None})
        return segments

    def _recorded_segments(self) -> list[dict[str, Any]]:
        lines = self.segments_path.read_text(encoding="utf-8").splitlines() if self.segments_path.exists() else []
        return [json.loads(line) for line in lines if line.strip()]

    def _reset(self) -> None:
        with writing(self.path):
            for path in (self.path, self.calls_path, self.segments_path, self.timing_path):
                path.unlink(missing_ok=True)


def parse_line(line: str | bytes) -> Any:
    """One log line's JSON, or None for a line that is not (torn by a kill, or not UTF-8)."""
    try:
        return json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
