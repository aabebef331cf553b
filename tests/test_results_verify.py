"""Results are checked against their logs and episode files (``fsre-bench verify``, and the leaderboard before it reads them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from tests.support.cli_helpers import fails_with_one_line, valid_run_argv
from tests.support.report_fixtures import FEWREL_5_1, FIXTURE_RESULTS, copy_results, result_file

REPO = Path(__file__).resolve().parents[1]


def _edit_json(path: Path, edit) -> None:
    result = json.loads(path.read_text())
    edit(result)
    path.write_text(json.dumps(result, indent=2))


@pytest.fixture
def fresh_run(tmp_path: Path) -> Path:
    """A schema-2 result of a real run (random, 5 episodes), with its log."""
    out = tmp_path / "fresh"
    assert main(valid_run_argv(out)) == 0
    return out


def test_the_committed_results_match_their_logs_and_episode_files(capsys):
    assert main(["verify", "--results", str(REPO / "results")]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    total = len(list((REPO / "results").rglob("n*_seeds*.json")))
    assert last.startswith(f"{total} of {total} result files match their logs and episode files"), last


def test_the_v1_fixtures_match_their_logs(capsys):
    assert main(["verify", "--results", str(FIXTURE_RESULTS)]) == 0
    assert "10 of 10 result files match" in capsys.readouterr().out


@pytest.mark.parametrize(("edit", "field"), [
    (lambda r: r["metrics"]["accuracy"].update(mean=r["metrics"]["accuracy"]["mean"] + 0.05), "metrics.accuracy.mean"),
    (lambda r: r["metrics"]["micro_f1"].update(ci95=[0.9, 0.99]), "metrics.micro_f1.ci95[0]"),
    (lambda r: r["per_seed"][0]["metrics"].update(accuracy=0.99), "per_seed[seed 0].metrics.accuracy"),
    (lambda r: r["per_seed"][0].update(n_queries=r["per_seed"][0]["n_queries"] + 1), "n_queries"),
    (lambda r: r["per_seed"][0].update(predictions_sha256="0" * 64), "has sha256"),
])
def test_a_hand_edited_result_is_caught_by_verify_and_refused_by_the_leaderboard(capsys, fresh_run, tmp_path, edit,
                                                                                 field):
    (path,) = fresh_run.rglob("n5_seeds0_*.json")
    assert main(["verify", "--results", str(fresh_run)]) == 0
    capsys.readouterr()
    _edit_json(path, edit)
    assert main(["verify", "--results", str(fresh_run)]) == 2
    out = capsys.readouterr().out
    assert f"MISMATCH {path}" in out and field in out and "0 of 1 result files match" in out
    board = ["leaderboard", "--results", str(fresh_run), "--out", str(tmp_path / "board.md")]
    err = fails_with_one_line(capsys, board, str(path), field, "--trust-results")
    assert len(err.splitlines()) == 1 and not (tmp_path / "board.md").exists()
    assert main([*board, "--trust-results"]) == 0  # the user's call, said out loud


def test_an_edited_log_is_caught_by_its_hash(capsys, fresh_run):
    (log,) = fresh_run.rglob("*.predictions.jsonl")
    lines = log.read_text().splitlines(keepends=True)
    record = json.loads(lines[1])
    record["pred"] = record["gold"]  # every answer of episode 1 made right
    lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
    log.write_text("".join(lines))
    assert main(["verify", "--results", str(fresh_run)]) == 2
    assert f"predictions log {log.name} has sha256" in capsys.readouterr().out


def test_a_result_and_log_edited_together_still_disagree_with_the_episode_file(capsys, fresh_run):
    """The log's gold labels changed and its hash re-recorded: only the rebuilt episode file shows it."""
    import hashlib

    (path,) = fresh_run.rglob("n5_seeds0_*.json")
    (log,) = fresh_run.rglob("*.predictions.jsonl")
    lines = log.read_text().splitlines(keepends=True)
    record = json.loads(lines[1])
    record["gold"] = list(record["pred"])
    lines[1] = json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n"
    log.write_text("".join(lines))
    # re-assemble the result from the edited log as a forger would: recompute its metrics from the log
    from fsre_bench.results.model import ResultFile
    from fsre_bench.results.recompute import records_counts, seed_metrics, summarize_counts

    records = [json.loads(line) for line in log.read_text().splitlines()[1:]]

    def forge(result: dict) -> None:
        counts = records_counts([records], result["dataset"]["negative_label"], result["protocol"])
        result["metrics"].update(summarize_counts(counts, protocol="episodic", trained=False, n_bootstrap=1000))
        result["per_seed"][0]["metrics"] = seed_metrics(counts[0])
        result["per_seed"][0]["predictions_sha256"] = hashlib.sha256(log.read_bytes()).hexdigest()

    _edit_json(path, forge)
    from fsre_bench.results.verify import check_result

    check_result(ResultFile.load(path))  # the logs alone no longer tell
    assert main(["verify", "--results", str(fresh_run)]) == 2
    out = capsys.readouterr().out
    assert "log line 2" in out and "gold labels differ from the episode file" in out


def test_a_missing_log_refuses_the_leaderboard(capsys, tmp_path):
    results = copy_results(tmp_path / "results")
    (log,) = sorted((results / FEWREL_5_1.relative_to(FIXTURE_RESULTS) / "random").glob("seed0_*.predictions.jsonl"))
    log.unlink()
    path = result_file(results / FEWREL_5_1.relative_to(FIXTURE_RESULTS) / "random")
    fails_with_one_line(capsys, ["leaderboard", "--results", str(results)], str(log), "cannot read", "--trust-results")
    assert path.exists()


def test_an_unchanged_tree_is_checked_again_from_memory(capsys, tmp_path, monkeypatch):
    """A passed check is remembered by the result's sha256: a second leaderboard only re-hashes the logs."""
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    results = copy_results(tmp_path / "results")
    assert main(["leaderboard", "--results", str(results)]) == 0
    remembered = sorted((tmp_path / "cache" / "verified").iterdir())
    assert len(remembered) == 10
    (log,) = sorted((results / FEWREL_5_1.relative_to(FIXTURE_RESULTS) / "proto").glob("seed1_*.predictions.jsonl"))
    log.write_bytes(log.read_bytes().replace(b'"pred":["', b'"pred":[ "', 1))  # same JSON, other bytes
    capsys.readouterr()
    fails_with_one_line(capsys, ["leaderboard", "--results", str(results)], log.name, "has sha256")


def test_verify_on_a_directory_that_is_not_there(capsys, tmp_path):
    fails_with_one_line(capsys, ["verify", "--results", str(tmp_path / "nope")], "no such results directory")
