"""A seed's time summed over every process that worked on it, from the timing file beside its log."""

from __future__ import annotations

import json
from pathlib import Path

from fsre_bench.runner.seed_timing import INTERVAL_S, SeedTimer, seed_timing


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_timer_writes_at_most_once_an_interval_and_always_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "seed0.timing.jsonl"
    timer = SeedTimer(path, fit_s=2.5, resumed_from_episode=0)
    for predict_s in (0.1, 0.2, INTERVAL_S + 0.15, INTERVAL_S + 0.3):
        timer.record(predict_s)
    timer.record(INTERVAL_S + 0.4, final=True)
    timer.close()
    lines = _lines(path)
    assert [line["predict_s"] for line in lines] == [0.1, INTERVAL_S + 0.15, INTERVAL_S + 0.4]
    assert {line["run"] for line in lines} == {timer.run_id} and all(line["fit_s"] == 2.5 for line in lines)
    assert seed_timing(path) == {"fit_s": 2.5, "predict_s": 1.4, "wall_s": 3.9, "runs": 1, "resumed_from_episode": 0}


def test_a_resumed_seed_sums_the_last_line_of_each_run(tmp_path: Path) -> None:
    path = tmp_path / "seed0.timing.jsonl"
    first = SeedTimer(path, fit_s=10.0, resumed_from_episode=0)
    first.record(3.0)
    first.record(7.0)
    first.close()  # killed: no final line, its last periodic one stands
    second = SeedTimer(path, fit_s=0.0, resumed_from_episode=40)
    second.record(5.0, final=True)
    second.close()
    assert first.run_id != second.run_id
    assert seed_timing(path) == {"fit_s": 10.0, "predict_s": 12.0, "wall_s": 22.0, "runs": 2,
                                 "resumed_from_episode": 40}


def test_torn_lines_are_skipped_and_no_file_is_no_time(tmp_path: Path) -> None:
    path = tmp_path / "seed0.timing.jsonl"
    good = {"run": "a", "fit_s": 1.0, "predict_s": 2.0, "resumed_from_episode": 0}
    path.write_text(json.dumps(good) + "\n" + '{"run": "a", "fit_s": 1.0, "predi' + "\n" + '{"fit_s": 9}\n[1]\n')
    assert seed_timing(path) == {"fit_s": 1.0, "predict_s": 2.0, "wall_s": 3.0, "runs": 1, "resumed_from_episode": 0}
    assert seed_timing(tmp_path / "none.jsonl") == {"fit_s": 0.0, "predict_s": 0.0, "wall_s": 0.0, "runs": 0,
                                                    "resumed_from_episode": 0}
