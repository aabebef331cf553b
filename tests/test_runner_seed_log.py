"""runner/seed_log.py: one pass over a predictions log gives what the separate reads gave, and says when it is whole."""

from __future__ import annotations

import builtins
import io
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from fsre_bench.cache import file_sha256
from fsre_bench.metrics.degenerate import prediction_distribution
from fsre_bench.metrics.negative_class import negative_class_stats
from fsre_bench.results import read_predictions_log, unit_counts
from fsre_bench.results.counts import negative_labels
from fsre_bench.runner.predictions_log import PredictionsLog
from fsre_bench.runner.seed_log import read_complete_log, read_seed_log
from fsre_bench.types import Episode, EpisodePrediction
from tests.support.report_fixtures import result_file, run_random

RELATIONS = ("A", "B", "Other")


def _episodes(n: int) -> list[Episode]:
    return [Episode(id=f"e{i}", relations=RELATIONS, support=((),) * 3, queries=((),) * 3, labels=("A", "Other", "B"))
            for i in range(n)]


def _write(path: Path, episodes: list[Episode], failed_at: int | None = None) -> PredictionsLog:
    log = PredictionsLog(path, {"method": "m", "seed": 0})
    for i, episode in enumerate(episodes):
        failures = 1 if i == failed_at else 0
        details = [{"error": "HTTP 500:\n  server   busy"}] if failures else None
        log.append(episode, EpisodePrediction(episode.id, ("A", "Other", "Other") if i % 2 else ("B", "B", "B"),
                                              failures=failures, details=details))
    log.close()
    return log


@pytest.mark.parametrize("per_query", [False, True])
def test_one_pass_gives_the_hash_counts_answers_and_failures_the_separate_reads_gave(tmp_path, per_query):
    episodes = _episodes(7)
    log = _write(tmp_path / "s.predictions.jsonl", episodes, failed_at=3)
    summary = read_seed_log(log.path, log.header, episodes, negative_label="Other", per_query=per_query)
    records = read_predictions_log(log.path)
    assert summary.complete and summary.sha256 == file_sha256(log.path)
    assert np.array_equal(summary.counts, unit_counts(records, negative_labels("Other"), per_query))
    assert summary.distribution.to_dict() == prediction_distribution((RELATIONS, r["pred"], r["gold"]) for r in records)
    assert summary.negative_class.to_dict() == negative_class_stats(((r["pred"], r["gold"]) for r in records), "Other")
    assert (summary.n_episodes, summary.n_queries, summary.failures) == (7, 21, 1)
    assert summary.first_error == "HTTP 500: server busy"


def test_a_log_not_whole_is_not_complete(tmp_path):
    episodes = _episodes(4)
    log = _write(tmp_path / "s.predictions.jsonl", episodes)
    whole = log.path.read_bytes()

    def complete(data: bytes, header: dict = log.header, of: list[Episode] = episodes) -> bool:
        log.path.write_bytes(data)
        return read_seed_log(log.path, header, of, negative_label=None, per_query=False).complete

    assert complete(whole)
    assert not complete(whole[:-1])  # the last line torn by a kill
    assert not complete(whole, of=episodes + _episodes(5)[4:])  # an episode missing
    assert not complete(whole, of=episodes[:3])  # a line past the last episode
    assert not complete(whole, header={"method": "other", "seed": 0})
    assert not complete(whole, of=list(reversed(episodes)))  # another order
    lines = whole.split(b"\n")
    assert not complete(b"\n".join([*lines[:2], b"{oops", *lines[3:]]))


def test_a_torn_tail_is_repaired_before_the_log_is_trusted(tmp_path):
    episodes = _episodes(3)
    log = _write(tmp_path / "s.predictions.jsonl", episodes)
    whole = log.path.read_bytes()
    log.path.write_bytes(whole + b'{"episode": "e3", "pr')  # a fourth episode cut mid-line
    summary = read_complete_log(log, episodes, negative_label=None, per_query=False)
    assert summary is not None and summary.complete and summary.sha256 == file_sha256(log.path)
    assert log.path.read_bytes() == whole
    log.path.write_bytes(whole[: whole.index(b"\n") + 1])  # header only
    assert read_complete_log(log, episodes, negative_label=None, per_query=False) is None


def test_assembling_a_result_reads_each_seeds_log_once(tmp_path, monkeypatch):
    """Re-assembly of a two-seed result from its logs: each log is opened once while the result is built."""
    from fsre_bench.runner import runner

    run_random(tmp_path, "--episodes", "4", "--seeds", "0,1", "--n-bootstrap", "100")
    unit = tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "random"
    first = result_file(unit)
    kept = first.read_bytes()
    first.unlink()
    opened: Counter[str] = Counter()
    building = False
    real_open, real_io_open, real_finish = builtins.open, io.open, runner._Unit.finish

    def counting(opener):
        def wrapper(file, *args, **kwargs):
            if building and str(file).endswith(".predictions.jsonl"):
                opened[Path(file).name] += 1
            return opener(file, *args, **kwargs)
        return wrapper

    def finish(self, *args, **kwargs):
        nonlocal building
        building = True
        try:
            return real_finish(self, *args, **kwargs)
        finally:
            building = False

    monkeypatch.setattr(builtins, "open", counting(real_open))
    monkeypatch.setattr(io, "open", counting(real_io_open))
    monkeypatch.setattr(runner._Unit, "finish", finish)
    run_random(tmp_path, "--episodes", "4", "--seeds", "0,1", "--n-bootstrap", "100")
    assert sorted(opened.values()) == [1, 1] and len(opened) == 2
    again = result_file(unit)
    assert again.name == first.name and _unstamped(again.read_bytes()) == _unstamped(kept)


def _unstamped(raw: bytes) -> dict:
    result = json.loads(raw)
    for key in ("run_id", "created_utc"):
        result.pop(key)
    return result
