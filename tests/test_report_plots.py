"""Every plot type renders a real PNG from the v1 fixture results; --help stays free of matplotlib and torch."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

from fsre_bench.cli.main import main
from tests.support.report_fixtures import FEWREL_5_1, FIXTURE_RESULTS, copy_results, result_file


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _assert_real_image(path: Path, min_width: int = 600, min_height: int = 250) -> None:
    width, height = _png_size(path)
    assert width >= min_width and height >= min_height, (path.name, width, height)
    assert path.stat().st_size > 15_000, f"{path.name} is suspiciously small (an empty figure?)"


def test_each_plot_type_renders_and_the_leaderboard_links_them(tmp_path, capsys):
    results = copy_results(tmp_path / "results")
    plots = results / "plots"
    assert main(["plot", "all", "--results", str(results)]) == 0
    assert main(["plot", "ablation", "--results", str(results), "--dataset", "fewrel/val_wiki", "--setting", "5-1",
                 "--reference", "proto", "--methods", "proto,random", "--n-bootstrap", "200"]) == 0
    run = result_file(results / FEWREL_5_1.relative_to(FIXTURE_RESULTS) / "proto")
    assert main(["plot", "per-relation", "--run", str(run), "--results", str(results)]) == 0
    written = sorted(path.name for path in plots.glob("*.png"))
    assert written == [
        "ablation_fewrel_val_wiki_episodic_5-1_accuracy.png",
        "accuracy-vs-k_fewrel_val_wiki_episodic.png",
        "accuracy-vs-k_semeval2010_test_kshot.png",
        "llm-cost.png",
        "per-relation_proto_fewrel_val_wiki_episodic_5-1.png",
    ]
    for name in written:
        _assert_real_image(plots / name)
    first = (plots / "llm-cost.png").read_bytes()
    assert main(["plot", "llm-cost", "--results", str(results)]) == 0
    assert (plots / "llm-cost.png").read_bytes() == first  # no timestamp in the PNG
    assert main(["leaderboard", "--results", str(results)]) == 0
    board = (results / "LEADERBOARD.md").read_text()
    for name in written:
        assert f"](plots/{name})" in board


def test_plot_arguments_missing_is_one_line(tmp_path, capsys):
    results = copy_results(tmp_path / "results")
    capsys.readouterr()
    assert main(["plot", "per-relation", "--results", str(results)]) == 2
    assert capsys.readouterr().err.strip() == "error: plot per-relation needs --run RESULT.json (one result file)"


def test_help_imports_neither_matplotlib_nor_torch():
    code = ("import sys\nfrom fsre_bench.cli.main import build_parser\nbuild_parser().format_help()\n"
            "print(sorted(m for m in ('matplotlib', 'torch', 'fsre_bench.report.plots') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_without_matplotlib_one_line_says_how_to_install(tmp_path, capsys, monkeypatch):
    results = copy_results(tmp_path / "results")
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # what `import matplotlib` sees when it is not installed
    capsys.readouterr()
    assert main(["plot", "all", "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: plots need matplotlib: pip install 'fsre-bench[plots]'"


def test_method_colours_stay_distinct_past_the_default_cycle():
    # The committed val_wiki table has 12 methods (TKRE's 4 ablations among them); the default cycle has 10.
    from fsre_bench.report.plots import _distinct_colours, pyplot

    plt = pyplot()
    for n in (1, 10, 11, 12, 20, 21, 40):
        colours = _distinct_colours(plt, n)
        assert len(colours) == n and len(set(colours)) == n, n
    assert _distinct_colours(plt, 3) == ["#1f77b4", "#ff7f0e", "#2ca02c"]  # small tables keep matplotlib's colours
