"""``fsre-bench score``: answers from outside scored against their episode file into a result; pairs must match."""

from __future__ import annotations

import json
from pathlib import Path

from fsre_bench.cli.main import main


def _exported(tmp_path: Path) -> list[dict]:
    out = tmp_path / "export"
    assert main(["episodes", "export", "--dataset", "fewrel/val_semeval", "--settings", "5-1", "--episodes", "4",
                 "--seeds", "0,1", "--with-text", "--out", str(out)]) == 0
    return [{**entry, "dir": out} for entry in json.loads((out / "manifest.json").read_text())["files"]]


def _answers(entry: dict, path: Path) -> Path:
    """The gold labels themselves, as a submitter would send answers (per episode)."""
    gold = [json.loads(line) for line in (entry["dir"] / entry["gold"]).read_text().splitlines()]
    lines = [{"episode_file_sha256": entry["episodes_sha256"]},
             *({"episode_id": g["episode_id"], "predictions": g["labels"]} for g in gold[1:])]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return path


def test_gold_answers_score_100_and_write_an_external_result(tmp_path: Path, capsys) -> None:
    entries = _exported(tmp_path)
    argv = ["score", "--method-name", "oracle", "--method-type", "floor", "--n-bootstrap", "100",
            "--output-dir", str(tmp_path / "results")]
    for seed, entry in enumerate(entries):
        argv += ["--episodes-file", str(entry["dir"] / entry["episodes"]),
                 "--predictions", str(_answers(entry, tmp_path / f"answers{seed}.jsonl")), "--seed", str(entry["seed"])]
    capsys.readouterr()
    assert main(argv) == 0
    first, second = capsys.readouterr().out.splitlines()
    assert first.startswith("oracle (external) 5-1 seeds 0,1: accuracy 100.00 (95% CI 100.00-100.00;")
    result = json.loads(Path(second.removeprefix("wrote ")).read_text())
    assert result["seeds"] == [0, 1] and result["metrics"]["accuracy"]["mean"] == 1.0


def test_episode_files_predictions_and_seeds_must_pair_up(tmp_path: Path, capsys) -> None:
    entry = _exported(tmp_path)[0]
    episodes = str(entry["dir"] / entry["episodes"])
    answers = str(_answers(entry, tmp_path / "answers.jsonl"))
    base = ["score", "--method-name", "x", "--output-dir", str(tmp_path / "results")]
    assert main([*base, "--episodes-file", episodes, "--episodes-file", episodes, "--predictions", answers]) == 2
    assert "2 --episodes-file but 1 --predictions; give one predictions file per episode file" in capsys.readouterr().err
    assert main([*base, "--episodes-file", episodes, "--predictions", answers, "--seed", "0", "--seed", "1"]) == 2
    assert "2 --seed for 1 episode files; give one per file or none" in capsys.readouterr().err
    assert not (tmp_path / "results").exists()
