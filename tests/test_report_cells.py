"""What a leaderboard cell says: the score's format, the flags beside it, and the notes under its table."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.report.cells import (
    DEGENERATE_MARK,
    MIXED_MARK,
    cell_convention,
    cell_marks,
    flag_legend,
    format_cell,
    format_mean_ci,
    format_training_data,
    harness_note,
)
from fsre_bench.results import ResultFile
from tests.support.report_fixtures import FEWREL_5_1, result_file

RUNS = Path(__file__).resolve().parents[1] / "results" / "runs"


def test_a_cell_is_mean_and_half_width_in_percent() -> None:
    assert format_mean_ci(0.6155, [0.5214, 0.7096]) == "61.55 ± 9.41"
    assert format_cell({"mean": 0.5, "ci95": [0.4, 0.6], "population_ci95": [0.3, 0.7]}, "episodic") == "50.00 ± 20.00"
    assert format_cell({"mean": 0.5, "ci95": [0.4, 0.6], "population_ci95": None}, "kshot") == "50.00"  # no ±
    assert format_cell({"mean": 0.5, "ci95": [0.4, 0.6]}, "episodic") == "50.00 ± 10.00"  # before population CIs
    assert format_cell({"mean": 0.5, "ci95": [0.4, 0.6], "std_over_seeds": 0.031}, "kshot") == "50.00 ± 3.10"
    assert format_cell({"mean": 0.5, "ci95": [0.4, 0.6], "std_over_seeds": None}, "kshot") == "50.00 (1 split)"


def test_each_protocol_says_what_its_interval_generalises_to() -> None:
    assert "new test sentences and new K-shot splits" in cell_convention("kshot")
    assert "new relations and seeds" in cell_convention("episodic") == cell_convention("natural-nota")


@pytest.mark.parametrize(("names", "text"), [
    (["semeval2010/train"], "semeval2010/train"),
    (["fewrel/train_wiki", "semeval2010/train"], "fewrel/train_wiki, semeval2010/train"),
    ([f"kshot:kshot-k8-s{s}" for s in (13, 21, 42)], "K-shot splits kshot-k8-s13/21/42"),
    ([f"kshot:kshot-k{k}-s{s}" for k in (8, 16) for s in (13, 21)], "K-shot splits kshot-k8/16-s13/21"),
    (["kshot:kshot-k8-s13", "kshot:kshot-k16-s21"], "K-shot splits kshot-k8-s13, kshot-k16-s21"),  # seeds differ
    (["kshot:kshot-k8-s13", "fewrel/train_wiki"], "kshot:kshot-k8-s13, fewrel/train_wiki"),  # not all splits
])
def test_training_data_is_shortened_only_where_it_reads_back(names, text) -> None:
    assert format_training_data(names) == text


def test_an_old_result_is_marked_mixed_and_the_legend_and_note_say_why() -> None:
    old = ResultFile.load(result_file(FEWREL_5_1 / "proto"))
    assert MIXED_MARK in cell_marks(old) and DEGENERATE_MARK not in cell_marks(old)
    legend = flag_legend([old])
    assert legend[0] == "" and any(line.startswith(f"{MIXED_MARK}: the seeds do not come from one") for line in legend)
    assert harness_note([old]) == ("Harness: not one state (no row records the harness state of its seeds; result "
                                   "files written by 0.1.0 git 4d2c44f7+dirty). Rows marked ⚠ mixed need a rerun at "
                                   "one clean commit.")


def test_a_committed_run_of_one_clean_state_has_one_harness_line() -> None:
    run = ResultFile.load(result_file(RUNS / "fewrel_val_wiki" / "episodic" / "5-1" / "random"))
    assert cell_marks(run) == [] and flag_legend([run]) == []  # frozen: no training variance to measure
    (state,) = run.result["provenance"]["states"]
    assert harness_note([run]) == f"Harness: fsre-bench {state}."
