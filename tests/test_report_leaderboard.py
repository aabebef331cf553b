"""`fsre-bench leaderboard` on real result files: deterministic, file-driven, limited runs kept apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows, predictions_records
from fsre_bench.report.leaderboard import render_leaderboard
from fsre_bench.report.literature import LiteratureEntry, load_literature
from fsre_bench.report.marked_region import LEADERBOARD_END, LEADERBOARD_START
from tests.support.report_fixtures import (
    FEWREL_5_1,
    FIXTURE_RESULTS,
    copy_results,
    result_file,
    run_random,
    table_section,
)

FEWREL_TABLE = "### fewrel/val_wiki · episodic"
SEMEVAL_TABLE = "### semeval2010/test · kshot"
RESULTS = Path(__file__).resolve().parents[1] / "results"


def _leaderboard(results: Path, *extra: str) -> str:
    assert main(["leaderboard", "--results", str(results), *extra]) == 0
    return (results / "LEADERBOARD.md").read_text(encoding="utf-8")


def _method_rows(section: str) -> list[str]:
    return [line.split(" | ")[0].removeprefix("| ") for line in section.splitlines()[4:] if line.startswith("| ")]


def test_v1_fixture_results_still_load_and_match_their_logs():
    rows = collect_rows(FIXTURE_RESULTS)
    assert {row.result["schema_version"] for row in rows} == {1}
    assert {row.protocol for row in rows} == {"episodic", "kshot"}
    assert {row.result["method"]["type"] for row in rows} >= {"floor", "metric", "icl"}
    for row in rows:
        for seed_row, (sha, records) in zip(row.result["per_seed"], predictions_records(row), strict=True):
            assert sha == seed_row["episode_file_sha256"]
            assert len(records) == seed_row["n_episodes"]


def test_regenerating_gives_identical_bytes_wherever_the_results_live(tmp_path, capsys):
    first = _leaderboard(copy_results(tmp_path / "a"))
    assert _leaderboard(tmp_path / "a") == first
    assert "unchanged" in capsys.readouterr().out
    assert _leaderboard(copy_results(tmp_path / "b")) == first
    fewrel = table_section(first, FEWREL_TABLE)
    methods = _method_rows(fewrel)
    assert methods[0] == "proto" and {"random", "icl"} <= set(methods)  # best (mean over its settings) first
    assert "| 5-1 | 5-5 | Avg |" in fewrel and "**" in fewrel
    assert "Newest result: 20" in first and "fsre-bench 0.1.0" in first


def test_deleting_a_result_removes_its_row_and_adding_it_back_restores_the_bytes(tmp_path):
    results = copy_results(tmp_path / "results")
    before = _leaderboard(results)
    moved = tmp_path / "aside"
    moved.mkdir()
    for setting in ("5-1", "5-5"):
        shutil.move(results / "runs" / "fewrel_val_wiki" / "episodic" / setting / "random", moved / setting)
    without = _leaderboard(results)
    assert "random" not in _method_rows(table_section(without, FEWREL_TABLE))
    assert "random" in _method_rows(table_section(without, SEMEVAL_TABLE))
    for setting in ("5-1", "5-5"):
        shutil.move(moved / setting, results / "runs" / "fewrel_val_wiki" / "episodic" / setting / "random")
    assert _leaderboard(results) == before


def test_unknown_schema_version_is_one_line_and_exit_2(tmp_path, capsys):
    results = copy_results(tmp_path / "results")
    path = result_file(results / FEWREL_5_1.relative_to(FIXTURE_RESULTS) / "proto")
    result = json.loads(path.read_text())
    path.write_text(json.dumps({**result, "schema_version": 99}))
    capsys.readouterr()
    assert main(["leaderboard", "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("error:") and "Traceback" not in err
    assert "schema version 99" in err and path.name in err


def test_limited_runs_are_left_out_by_default_and_marked_when_asked(tmp_path):
    results = copy_results(tmp_path / "results")
    run_random(results, "--settings", "10-1", "--episodes", "20", "--limit", "5")
    default = _leaderboard(results)
    assert "10-1" not in table_section(default, FEWREL_TABLE)
    assert "Not shown: 1 limited run(s)" in default
    shown = _leaderboard(results, "--include-limited")
    fewrel = table_section(shown, FEWREL_TABLE)
    random_row = next(line for line in fewrel.splitlines() if line.startswith("| random |"))
    assert "⚠" in random_row and "**" not in random_row.split(" | ")[-2]
    assert "limited run (`--limit`)" in shown


def test_only_the_marked_region_changes(tmp_path, capsys):
    results = copy_results(tmp_path / "results")
    readme = tmp_path / "README.md"
    prose_before, prose_after = "# My project\n\nSome words a person wrote.\n\n", "\n\n## Later\n\nMore words.\n"
    readme.write_text(f"{prose_before}{LEADERBOARD_START}\nold table\n{LEADERBOARD_END}{prose_after}")
    board = _leaderboard(results, "--readme", str(readme))
    text = readme.read_text()
    assert text.startswith(prose_before + LEADERBOARD_START) and text.endswith(LEADERBOARD_END + prose_after)
    assert "old table" not in text
    region = board[board.index(LEADERBOARD_START):board.index(LEADERBOARD_END)]
    assert region in text
    readme.write_text("# no markers here\n")
    capsys.readouterr()
    assert main(["leaderboard", "--results", str(results), "--readme", str(readme)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "fsre-bench:leaderboard:start" in err
    # prose that names the markers inline (as this project's README does) is not a region: refused, left alone
    prose = f"# Docs\n\nThe table goes between `{LEADERBOARD_START}` and `{LEADERBOARD_END}`.\n"
    readme.write_text(prose)
    assert main(["leaderboard", "--results", str(results), "--readme", str(readme)]) == 2
    assert readme.read_text() == prose and len(capsys.readouterr().err.strip().splitlines()) == 1


def test_plots_in_the_plots_dir_are_linked(tmp_path):
    results = copy_results(tmp_path / "results")
    (results / "plots").mkdir()
    (results / "plots" / "accuracy-vs-k_x.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert "![accuracy-vs-k_x](plots/accuracy-vs-k_x.png)" in _leaderboard(results)


def test_published_numbers_sit_in_their_own_labelled_table():
    rows = collect_rows(FIXTURE_RESULTS)
    # A made-up entry, only to pin the rendering; the shipped literature file holds cited numbers only.
    entry = LiteratureEntry("Some method", "BERT", "FewRel train_wiki", "Paper X, Table 1", "FewRel 1.0 test",
                            "fewrel", "episodic", "accuracy", {"5-1": 50.0, "10-5": 60.0})
    board = render_leaderboard(rows, literature=[entry])
    literature = board.index("_Reported in the literature, not run here")
    assert board.index(FEWREL_TABLE) < literature
    assert "### Reported in the literature, not run here: FewRel 1.0 test · fewrel · episodic · accuracy (%)" in board
    assert "| Some method | BERT | FewRel train_wiki | 50.00 | 60.00 | Paper X, Table 1 |" in board[literature:]
    assert "Some method" not in board[:literature]
    for shipped in load_literature():
        assert shipped.source and shipped.split and shipped.backbone and shipped.training_data


def test_studies_are_not_mixed_into_the_main_leaderboard(tmp_path):
    results = tmp_path / "results"
    copy_results(results / "studies" / "some-study")
    assert "No result files yet" in _leaderboard(results)
    study = _leaderboard(results / "studies" / "some-study")
    assert "proto" in table_section(study, FEWREL_TABLE)


def test_training_data_of_a_row_names_the_splits_of_every_k_in_it():
    from fsre_bench.report.cells import format_training_data

    k8 = [f"kshot:kshot-k8-s{seed}" for seed in (13, 21, 42)]
    k16 = [f"kshot:kshot-k16-s{seed}" for seed in (13, 21, 42)]
    assert format_training_data(k8) == "K-shot splits kshot-k8-s13/21/42"
    assert format_training_data(k8 + k16) == "K-shot splits kshot-k8/16-s13/21/42"
    assert format_training_data(k8 + k16[:2]) == "K-shot splits " + ", ".join(n[6:] for n in k8 + k16[:2])
    assert format_training_data(["semeval2010/train"]) == "semeval2010/train"


def test_rows_trained_on_another_datasets_relations_get_their_own_table_and_literature_stands_beside_its_split():
    """Committed FewRel rows trained on SemEval are cross-domain; the same rows relabelled as trained on FewRel's
    own relations join the main table. Reported numbers sit under the split's heading, with what differs."""
    import copy

    committed = collect_rows(Path(__file__).parents[1] / "results")
    board = render_leaderboard(committed, literature=load_literature())
    wiki = board[board.index("## fewrel/val_wiki"):board.index("## semeval2010/test")]
    main_table = table_section(wiki, "### fewrel/val_wiki · episodic · accuracy (%)\n")
    cross = table_section(wiki, "### fewrel/val_wiki · episodic · accuracy (%) · cross-domain: trained on semeval2010/train")
    assert "| proto-ft |" not in main_table and "| proto-desc |" in main_table
    assert "| proto-ft |" in cross and "| tkre [knowledge=schema] |" in cross and "| proto-desc |" not in cross
    assert "_Cross-domain: the trained rows here learned from SemEval-2010's relations" in cross
    # FewRel 1.0 test (hidden) and val numbers stand under val_wiki's heading, after a sentence on what differs
    assert wiki.index("_Measured above vs reported below: backbone all-MiniLM-L6-v2 (22.7M parameters)") < wiki.index(
        "### Reported in the literature, not run here: FewRel 1.0 test (hidden, CodaLab)")
    assert "split fewrel/val_wiki with our episodes here, FewRel 1.0 test (hidden, CodaLab)" in wiki
    relabelled = copy.deepcopy(committed)
    for row in relabelled:
        if row.result["method"]["training_data"] == "semeval2010/train":
            row.result["method"]["training_data"] = "fewrel/train_offline"
            for seed in row.result["per_seed"]:
                seed["training_data"] = "fewrel/train_offline"
    in_domain = render_leaderboard(relabelled)
    assert "cross-domain" not in in_domain
    assert "| proto-ft |" in table_section(in_domain, "### fewrel/val_wiki · episodic · accuracy (%)\n")


def test_committed_leaderboard_cells_show_the_generalising_interval_and_name_both():
    markdown = render_leaderboard(collect_rows(RESULTS))
    assert "| 61.55 ± 9.41 |" in markdown  # tkre 5-1 over new relations (the result file's 61.55 ± 4.28 is kept)
    assert "over new relations and seeds" in markdown and "The CI for these relations" in markdown
    assert "over new test sentences and new K-shot splits" in markdown and "The CI for this test set" in markdown
    assert "| 20.00 degenerate |" in markdown  # no ± on a degenerate row
    assert "20.00 ± 0.00" not in markdown
