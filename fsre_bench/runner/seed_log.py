"""One pass over a seed's predictions log: everything a result takes from it, read once.

A result used to re-read each log for its counts, its answers (twice), its sizes, its failures and its
sha256. Now one streaming pass (memory flat in the number of episodes: a record is dropped once counted)
collects all of it, and checks that the log is whole: the expected header, then exactly the seed's
episodes in order, every line ending in a newline. Anything else leaves ``complete`` false and the
runner repairs the log (``PredictionsLog.completed``) before trusting it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fsre_bench.bounded_read import check_regular_file
from fsre_bench.metrics.degenerate import DistributionCounts
from fsre_bench.metrics.negative_class import NegativeClassCounts
from fsre_bench.results.counts import counts_array, negative_labels, unit_rows
from fsre_bench.runner.predictions_log import PredictionsLog, parse_line
from fsre_bench.runner.request_failures import first_error
from fsre_bench.types import Episode


@dataclass
class SeedLogSummary:
    """What one seed's log contributes to its result (``runner.assemble``)."""

    sha256: str = ""
    n_episodes: int = 0
    n_queries: int = 0
    failures: int = 0  # queries whose LLM request failed
    first_error: str | None = None  # the first failed request's message, in log order
    counts: np.ndarray = field(default_factory=lambda: counts_array([]))  # scoring-unit rows (results/counts.py)
    distribution: DistributionCounts = field(default_factory=DistributionCounts)
    negative_class: NegativeClassCounts | None = None  # datasets with a negative label only
    complete: bool = False  # the header matched and the log holds exactly the episodes, in order


def summarize_records(records: Iterable[dict[str, Any]], episodes: Sequence[Episode], *,
                      negative_label: str | None, per_query: bool) -> SeedLogSummary:
    """Count ``records`` (one per episode, in episode order) beside ``episodes``; ``complete`` as the module says."""
    summary = SeedLogSummary(negative_class=NegativeClassCounts(negative_label) if negative_label else None)
    negative = negative_labels(negative_label)
    rows: list[Sequence[int]] = []
    episode_iter = iter(episodes)
    aligned = True
    for record in records:
        episode = next(episode_iter, None)
        if episode is None or record.get("episode") != episode.id:
            aligned = False  # a line the seed's episodes do not have there: not this seed's whole log
            break
        rows.extend(unit_rows(record, negative, per_query))
        summary.distribution.add(episode.relations, record["pred"], record["gold"])
        if summary.negative_class is not None:
            summary.negative_class.add(record["pred"], record["gold"])
        summary.n_episodes += 1
        summary.n_queries += len(record["gold"])
        failed = int(record.get("failures") or 0)
        summary.failures += failed
        if failed and summary.first_error is None:
            summary.first_error = first_error(record)
    summary.counts = counts_array(rows)
    summary.complete = aligned and next(episode_iter, None) is None
    return summary


def read_seed_log(path: Path, header: dict[str, Any], episodes: Sequence[Episode], *, negative_label: str | None,
                  per_query: bool) -> SeedLogSummary:
    """Read the log at ``path`` once: its sha256 over every byte, and ``summarize_records`` of its records."""
    check_regular_file(path, "log")
    digest = hashlib.sha256()
    lines_whole = True

    def records(handle: Any) -> Iterator[dict[str, Any]]:
        nonlocal lines_whole
        for line in handle:  # lines end at b"\n" only: a reply's U+2028 stays inside its line
            digest.update(line)
            record = parse_line(line) if line.endswith(b"\n") else None  # no newline: cut by a kill
            if not isinstance(record, dict):  # torn or not JSON: the runner repairs the log, as a resume does
                lines_whole = False
                return
            yield record

    with open(path, "rb") as handle:
        first = handle.readline()
        digest.update(first)
        header_ok = first.endswith(b"\n") and parse_line(first) == header
        summary = summarize_records(records(handle), episodes, negative_label=negative_label, per_query=per_query)
        for rest in iter(lambda: handle.read(1 << 20), b""):  # lines after a mismatch or after the last episode
            digest.update(rest)
            summary.complete = False
    summary.sha256 = digest.hexdigest()
    summary.complete = summary.complete and header_ok and lines_whole
    return summary


def read_complete_log(log: PredictionsLog, episodes: Sequence[Episode], *, negative_label: str | None,
                      per_query: bool) -> SeedLogSummary | None:
    """``log`` read once, or None unless it holds all of ``episodes``.

    A log the single pass finds not whole (a torn tail, lines past the last episode) is first repaired as a
    resume would (``PredictionsLog.completed``) and then read again: only that rare path reads twice.
    """
    def read() -> SeedLogSummary:
        return read_seed_log(log.path, log.header, episodes, negative_label=negative_label, per_query=per_query)

    summary = read() if log.path.exists() else None
    if summary is not None and summary.complete:
        return summary
    return read() if log.completed(episodes) == len(episodes) else None
