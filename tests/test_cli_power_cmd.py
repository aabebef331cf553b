"""``fsre-bench power``: the power table's lines on the committed results; a bad --delta is one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.report.power_table import power_rows, render_power

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_power_prints_the_rendered_rows(capsys) -> None:
    assert main(["power", "--results", str(RESULTS), "--dataset", "semeval2010/test", "--setting", "K=8",
                 "--delta", "3"]) == 0
    expected = render_power(power_rows(str(RESULTS), "semeval2010/test", "K=8", None, None, None, 0.03), 3.0)
    assert capsys.readouterr().out.splitlines() == expected


@pytest.mark.parametrize("delta", ["0", "-1", "nan", "inf"])
def test_a_delta_that_is_not_a_positive_number_is_refused(capsys, delta) -> None:
    assert main(["power", "--results", str(RESULTS), "--dataset", "semeval2010/test", "--setting", "K=8",
                 "--delta", delta]) == 2
    err = capsys.readouterr().err.strip()
    assert "--delta must be a positive number of points" in err and len(err.splitlines()) == 1
