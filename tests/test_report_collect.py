"""Reports read result files only: which files count, the best of several for one cell, setting order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fsre_bench.errors import DataError
from fsre_bench.report.collect import collect_rows, find_result_files, pick_best, result_paths, setting_order
from tests.support.report_fixtures import FEWREL_5_1, FIXTURE_RESULTS, copy_results, result_file


def test_result_files_are_found_under_runs_and_studies_are_left_out(tmp_path: Path) -> None:
    results = copy_results(tmp_path / "results")
    found = find_result_files(results)
    assert found == sorted(found) and found and all(p.name.startswith("n") for p in found)
    assert not any(p.name.endswith(".meta.json") for p in found)
    study = results / "studies" / "variant" / "runs" / "x"
    study.mkdir(parents=True)
    shutil.copy(found[0], study / found[0].name)
    (results / "runs" / "notes").mkdir()
    (results / "runs" / "notes" / "n5_seeds_x.txt").write_text("not a result")
    assert find_result_files(results) == found
    assert find_result_files(results / "studies" / "variant") == [study / found[0].name]  # pointed at directly
    assert find_result_files(results / "runs") == found  # no runs/ below: the directory itself


def test_a_path_is_one_result_or_a_tree_and_a_missing_one_says_so(tmp_path: Path) -> None:
    one = result_file(FEWREL_5_1 / "proto")
    assert result_paths(one) == [one]
    assert result_paths(FEWREL_5_1) == find_result_files(FEWREL_5_1)
    with pytest.raises(DataError, match=r"nope: no such results directory \(run `fsre-bench run --output-dir"):
        find_result_files(tmp_path / "nope")
    assert {row.method_name for row in collect_rows(FIXTURE_RESULTS)} >= {"random", "proto", "icl"}


def test_the_best_of_several_results_is_unlimited_then_largest_then_newest() -> None:
    class _Row:
        def __init__(self, name: str, limited: bool, size: int, created: str) -> None:
            self.path, self.limited, self.size, self.created_utc = Path(name), limited, size, created

    limited_big, small, small_newer = _Row("a", True, 1000, "2026"), _Row("b", False, 30, "2025"), \
        _Row("c", False, 30, "2026")
    assert pick_best([limited_big, small]) is small
    assert pick_best([small, small_newer]) is small_newer
    assert pick_best([_Row("b", False, 50, "2024"), small_newer]).size == 50


def test_standard_settings_come_first_then_by_n_and_k_numerically() -> None:
    settings = ["10-5", "K=32", "5-1", "20-1", "K=8", "10-1", "5-5", "K=16", "5-10"]
    assert sorted(settings, key=setting_order) == ["5-1", "5-5", "10-1", "10-5", "5-10", "K=8", "K=16", "20-1",
                                                    "K=32"]
