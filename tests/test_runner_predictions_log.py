"""The per-episode predictions log: header, one canonical line per episode, resume after a torn line or a
mismatched header, the cut before the first failed episode, the volatile sidecar, segments and the reader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.results import LOG_FORMAT, read_predictions_log
from fsre_bench.runner.predictions_log import PredictionsLog
from fsre_bench.types import Episode, EpisodePrediction

HEADER = {"method": "random", "setting": "2-1", "seed": 0}


def _episodes(count: int) -> list[Episode]:
    return [Episode(id=f"e{i}", relations=("P1", "P2"), support=(("a",), ("b",)), queries=(f"q{i}", f"r{i}"),
                    labels=("P1", "P2")) for i in range(count)]


def _answer(episode: Episode, failures: int = 0, volatile: bool = False) -> EpisodePrediction:
    return EpisodePrediction(episode.id, ("P2", "P2"), failures=failures,
                             volatile=[{"latency_s": 0.5}, {"latency_s": 0.25}] if volatile else None)


def _write(path: Path, episodes: list[Episode], failures_at: int | None = None) -> PredictionsLog:
    log = PredictionsLog(path, HEADER)
    for index, episode in enumerate(episodes):
        log.append(episode, _answer(episode, failures=1 if index == failures_at else 0))
    log.close()
    return log


def _write_one_with_latencies(path: Path) -> PredictionsLog:
    log = PredictionsLog(path, HEADER)
    episode = _episodes(1)[0]
    log.append(episode, _answer(episode, volatile=True))
    log.close()
    return log


def test_the_log_is_a_header_then_one_canonical_line_per_episode(tmp_path: Path) -> None:
    path = tmp_path / "run.predictions.jsonl"
    _write(path, _episodes(3))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": LOG_FORMAT, **HEADER}
    assert [json.loads(line) for line in lines[1:]] == [
        {"episode": f"e{i}", "pred": ["P2", "P2"], "gold": ["P1", "P2"], "failures": 0} for i in range(3)]
    assert lines[1] == '{"episode":"e0","failures":0,"gold":["P1","P2"],"pred":["P2","P2"]}'  # sorted keys, no spaces


@pytest.mark.parametrize("cut", [7, 1], ids=["mid-line", "only-the-newline"])
def test_interrupted_then_resumed_ends_with_the_bytes_of_an_uninterrupted_run(tmp_path: Path, cut: int) -> None:
    episodes = _episodes(4)
    whole = tmp_path / "whole.predictions.jsonl"
    _write(whole, episodes)
    torn = tmp_path / "torn.predictions.jsonl"
    _write(torn, episodes[:3])
    torn.write_bytes(torn.read_bytes()[:-cut])  # a kill while episode e2's line was written
    log = PredictionsLog(torn, HEADER)
    done = log.completed(episodes)
    assert done == 2 and torn.read_bytes().endswith(b'"pred":["P2","P2"]}\n')
    for episode in episodes[done:]:
        log.append(episode, _answer(episode))
    log.close()
    assert torn.read_bytes() == whole.read_bytes()


def test_completed_stops_at_the_first_episode_that_is_not_the_expected_one(tmp_path: Path) -> None:
    path = tmp_path / "run.predictions.jsonl"
    _write(path, _episodes(3))
    other = _episodes(3)
    other[1] = Episode(id="changed", relations=("P1", "P2"), support=(("a",), ("b",)), queries=("x", "y"),
                       labels=("P1", "P1"))
    assert PredictionsLog(path, HEADER).completed(other) == 1
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2  # the header and e0 only
    assert PredictionsLog(path, HEADER).completed(_episodes(5)) == 1


def test_a_log_of_another_header_is_removed_with_its_sidecars(tmp_path: Path) -> None:
    path = tmp_path / "run.predictions.jsonl"
    log = _write_one_with_latencies(path)
    log.start_segment(0, {"version": "0.1.0"})
    assert log.calls_path.exists() and log.segments_path.exists()
    fresh = PredictionsLog(path, {**HEADER, "seed": 1})
    assert fresh.completed(_episodes(1)) == 0
    assert not path.exists() and not fresh.calls_path.exists() and not fresh.segments_path.exists()
    assert PredictionsLog(tmp_path / "absent.predictions.jsonl", HEADER).completed(_episodes(1)) == 0


def test_volatile_facts_go_to_the_calls_sidecar_never_into_the_log(tmp_path: Path) -> None:
    path = tmp_path / "run.predictions.jsonl"
    log = _write_one_with_latencies(path)
    assert log.calls_path.name == "run.calls.jsonl"
    assert json.loads(log.calls_path.read_text(encoding="utf-8")) == {
        "episode": "e0", "queries": [{"latency_s": 0.5}, {"latency_s": 0.25}]}
    assert "latency" not in path.read_text(encoding="utf-8")


def test_drop_failed_cuts_before_the_first_episode_with_a_failed_request(tmp_path: Path) -> None:
    path = tmp_path / "run.predictions.jsonl"
    log = _write(path, _episodes(5), failures_at=2)
    assert log.drop_failed() == 2
    assert [r["episode"] for r in read_predictions_log(log.path)] == ["e0", "e1"]
    assert log.drop_failed() == 2  # nothing failed is left: the log stays
    clean = _write(tmp_path / "clean.predictions.jsonl", _episodes(3))
    assert clean.drop_failed() == 3 and len(read_predictions_log(clean.path)) == 3


def test_segments_record_who_predicted_which_episodes_and_drop_cut_ones(tmp_path: Path) -> None:
    log = PredictionsLog(tmp_path / "run.predictions.jsonl", HEADER)
    assert log.segments() == [{"from_episode": 0, "harness": None}]
    log.start_segment(3, {"git_hash": "a"})
    assert log.segments() == [{"from_episode": 0, "harness": None}, {"from_episode": 3, "harness": {"git_hash": "a"}}]
    log.start_segment(5, {"git_hash": "b"})
    log.start_segment(4, {"git_hash": "c"})  # the resume found 4 whole episodes: the segment from 5 was cut
    assert [s["from_episode"] for s in log.segments()] == [0, 3, 4]
    assert log.segments()[-1]["harness"] == {"git_hash": "c"}


def test_what_the_log_wrote_reads_back_and_a_bad_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "run.predictions.jsonl"
    log = _write(path, _episodes(2))
    records = read_predictions_log(log.path)
    assert len(records) == 2 and [r["episode"] for r in records] == [r["episode"] for r in records] == ["e0", "e1"]
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    with pytest.raises(DataError, match=r"run\.predictions\.jsonl: line 4 is not JSON"):
        list(read_predictions_log(log.path))
