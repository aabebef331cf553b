"""The committed leaderboard is exactly what `fsre-bench leaderboard` makes of the committed result files."""

from __future__ import annotations

import shutil
from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_committed_leaderboard_regenerates_byte_identically(tmp_path):
    committed = (RESULTS / "LEADERBOARD.md").read_bytes()
    copy = tmp_path / "results"
    # The whole tree, so relative links to results/plots resolve as they do in the repository.
    shutil.copytree(RESULTS, copy)
    assert main(["leaderboard", "--results", str(copy)]) == 0
    assert (copy / "LEADERBOARD.md").read_bytes() == committed


def test_plot_all_redraws_every_committed_summary_plot_byte_identically(tmp_path):
    # `plot all` finds the ablation tasks from what the result files record (ablation_of), so the
    # committed ablation plots need no hand-kept list; the per-relation plot needs --run and is not in it.
    copy = tmp_path / "results"
    shutil.copytree(RESULTS, copy)
    for png in (copy / "plots").glob("*.png"):
        png.unlink()
    assert main(["plot", "all", "--results", str(copy)]) == 0
    committed = {p.name for p in (RESULTS / "plots").glob("*.png") if not p.name.startswith("per-relation_")}
    assert {p.name for p in (copy / "plots").glob("*.png")} == committed
    assert {"ablation_fewrel_val_wiki_episodic_5-1_accuracy.png", "ablation_fewrel_val_wiki_episodic_5-5_accuracy.png",
            "ablation_semeval2010_test_kshot_K=8_micro_f1.png"} <= committed
    for name in sorted(committed):
        assert (copy / "plots" / name).read_bytes() == (RESULTS / "plots" / name).read_bytes(), name


def test_committed_results_are_complete_unlimited_runs_with_plots_linked():
    rows = collect_rows(RESULTS)
    assert rows, "results/runs holds no result files"
    assert not [row for row in rows if row.result["episodes"]["limited"]]
    leaderboard = (RESULTS / "LEADERBOARD.md").read_text(encoding="utf-8")
    linked = {line.split("](", 1)[1].split(")", 1)[0] for line in leaderboard.splitlines() if "](plots/" in line}
    assert linked, "the leaderboard links no plot"
    for link in linked:
        assert (RESULTS / link).stat().st_size > 10_000, f"{link} is linked but missing or empty"


def test_accuracy_vs_k_gives_each_method_one_colour_in_every_panel():
    from matplotlib.colors import to_hex

    from fsre_bench.report.leaderboard import build_tables
    from fsre_bench.report.plots import accuracy_vs_k_figure

    (fewrel,) = [t for t in build_tables(collect_rows(RESULTS), by_training_group=False) if t.dataset == "fewrel/val_wiki"]
    figure = accuracy_vs_k_figure(fewrel)
    colour_of: dict[str, set[str]] = {}
    for ax in figure.axes:
        for container in ax.containers:  # one errorbar container per method line
            colour_of.setdefault(container.get_label(), set()).add(to_hex(container.lines[0].get_color()))
    assert [ax.get_title() for ax in figure.axes] == ["5-way", "10-way"]
    assert all(len(colours) == 1 for colours in colour_of.values()), colour_of
    assert len({next(iter(c)) for c in colour_of.values()}) == len(colour_of)  # and no two methods share one
    legend_labels = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend_labels == sorted(colour_of) and "icl" in legend_labels  # icl is drawn in one panel only


def test_report_ablation_defaults_to_the_reference_and_its_ablations(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # the log width (130): a narrow terminal wraps the names
    # icl, proto, proto-ft and tkre-desc share the task but are not ablations of tkre (icl even ran on other
    # episodes). Variants are found by what their results record (ablation_of), not by name.
    args = ["report", "ablation", "--results", str(RESULTS), "--dataset", "fewrel/val_wiki", "--setting", "5-1",
            "--reference", "tkre"]
    assert main(args) == 0
    out = capsys.readouterr().out
    for variant in ("tkre (reference)", "tkre-no-mslm", "tkre-no-scl", "tkre-no-synth", "tkre-no-knowledge"):
        assert variant in out
    table_rows = [line for line in out.splitlines() if line.startswith("│")]  # the caption may name other results
    first_cells = [row.split("│")[1].strip() for row in table_rows]
    for other in ("icl", "proto", "tkre-desc"):
        assert not any(cell.startswith(other) for cell in first_cells), first_cells
    assert "Fitted models shared with other results" in out and "tkre-desc [knowledge=schema] 5-1" in out
    assert main([*args, "--methods", "tkre,tkre-no-scl,icl"]) == 2  # named explicitly, icl's episodes differ
    assert "was not evaluated on the reference's episodes" in capsys.readouterr().err


def test_committed_trained_rows_carry_training_variance_and_icl_is_flagged_degenerate(capsys, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)  # the log width (130), so table cells are not wrapped
    rows = {(row.method_name, row.setting, len(row.result["seeds"])): row for row in collect_rows(RESULTS)}
    ablations = ("tkre-no-mslm", "tkre-no-scl", "tkre-no-synth", "tkre-no-knowledge")
    for method in ("tkre", "proto-ft", "tkre-desc", "proto-ft-desc", *ablations):
        for setting in ("5-1", "5-5"):
            summary = rows[(method, setting, 3)].summary()
            assert summary["ci_method"].startswith("Student-t interval over training-seed scores (n=3")
    assert rows[("tkre", "5-1", 3)].summary()["ci95"][1] - rows[("tkre", "5-1", 3)].summary()["mean"] > 0.02
    for method in ("tkre", "finetune", "finetune-synth", "proto-ft"):  # K-shot: a t-interval over the 5 split scores
        for k in ("K=8", "K=16", "K=32"):
            assert rows[(method, k, 5)].summary()["ci_method"].startswith("Student-t interval over")
    # K=16: tkre vs its controls, split-level paired (what benchmarks/README.md reports)
    args = ["report", "ablation", "--results", str(RESULTS), "--dataset", "semeval2010/test", "--setting", "K=16",
            "--reference", "finetune-synth", "--methods", "finetune-synth,tkre"]
    assert main(args) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "63.97 ± 3.19 │ +2.66 │ [+0.62, +4.71]" in out and "5/5" in out
    verdict = rows[("icl", "5-1", 1)].result["flags"]["degenerate"]
    assert verdict["kind"] == "position" and verdict["value"] == "0" and verdict["pred_share"] >= 0.99
    # method vs method on the committed episodes: seed-level paired differences with per-seed signs
    args = ["report", "ablation", "--results", str(RESULTS), "--dataset", "fewrel/val_wiki", "--setting", "5-1",
            "--reference", "proto-ft", "--methods", "proto-ft,tkre"]
    assert main(args) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Student-t interval over per-seed paired differences (n=3" in out and "seeds agreeing" in out
    assert "61.55 ± 4.28 │ -3.31 │ [-5.54, -1.08]" in out  # TKRE loses to proto-ft on 5-1 (benchmarks/README.md)
    # the committed ablation tables, as `ablate` wrote them: seed-level paired Δ, per-seed Δ and sign agreement
    for setting in ("5-1", "5-5"):
        table = (RESULTS / "ablations" / f"tkre-fewrel_val_wiki-episodic-{setting}.md").read_text(encoding="utf-8")
        assert "Student-t interval over per-seed paired differences (n=3" in table
        assert all(f"| {variant} |" in table for variant in ablations)
    table = (RESULTS / "ablations" / "tkre-fewrel_val_wiki-episodic-5-1.md").read_text(encoding="utf-8")
    # Holm within the table (issue 29): raw p 0.031, adjusted 0.126, so no star; MDE 5.66 at 3 seeds
    assert ("| tkre-no-scl | 67.07 ± 4.40 | +5.52 | [+1.21, +9.83] | 0.031 | 0.126 | 5.66 | [+3.98, +5.18, +7.40] | 3/3 |  |"
            in table)
    assert "Family: the 4 tests of this table, Holm-Bonferroni-adjusted" in table
