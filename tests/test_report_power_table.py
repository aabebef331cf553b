"""``fsre-bench power`` rows on the committed results: variance parts, MDE and what a Δ would need."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.report.power_table import power_rows, render_power

RESULTS = str(Path(__file__).resolve().parents[1] / "results")


@pytest.fixture(scope="module")
def fewrel_rows():
    return power_rows(RESULTS, "fewrel/val_wiki", "5-1", "episodic", "tkre", None, 0.02)


def test_each_multi_seed_method_is_paired_with_the_reference(fewrel_rows) -> None:
    labels = [row.label for row in fewrel_rows]
    assert labels and not any(label.startswith("tkre [") for label in labels)  # the reference is no row of its own
    assert not any(label == "icl" for label in labels)  # one seed: no training variance to extrapolate from
    for row in fewrel_rows:
        assert row.paired_with.startswith("tkre [") and row.variance.n_seeds == 3
        assert row.variance.units_per_seed == 1000 and row.mde is not None and row.mde > 0
        assert row.variance.seed_sd ** 2 == pytest.approx(row.variance.training_variance
                                                          + row.variance.unit_variance / 1000, rel=1e-6)


def test_the_rendered_lines_say_what_a_delta_needs(fewrel_rows) -> None:
    lines = render_power(fewrel_rows, 2.0)
    assert lines[0] == "Δ = 2 points, two-sided paired t-test over seeds, α = 0.05, power 80%"
    assert any(line.startswith(f"{fewrel_rows[0].label} − ") and "3 seeds × 1000 episodes" in line for line in lines)
    assert sum(line.startswith("  needs ") for line in lines) == len(fewrel_rows)
    assert render_power([], 2.0) == ["no result with >= 2 seeds on this task: power needs a measured training variance"]


def test_kshot_rows_count_splits_and_say_only_more_splits_help() -> None:
    rows = power_rows(RESULTS, "semeval2010_test", "K=8", None, None, "micro_f1", 0.02)
    assert rows and all(row.paired_with is None and row.units is None and row.variance.n_seeds == 5 for row in rows)
    lines = render_power(rows, 2.0)
    assert "5 splits × " in lines[1] and "test sentences" in lines[1]
    assert lines.count("  (the K-shot test set is fixed: only more splits help)") == len(rows)


def test_an_unknown_task_or_an_ambiguous_reference_is_one_line() -> None:
    with pytest.raises(DataError, match=r"no result files for dataset fewrel/val_wiki setting 7-3"):
        power_rows(RESULTS, "fewrel/val_wiki", "7-3", None, None, None, 0.02)
    with pytest.raises(ConfigError, match=r"--reference 'tkre-no' matches 0 of: "):
        power_rows(RESULTS, "fewrel/val_wiki", "5-1", "episodic", "tkre-no", None, 0.02)
