"""Per-seed provenance: recorded for every seed, refused when mixed unless allowed (then marked)."""

from __future__ import annotations

import json
from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.results import ResultFile
from fsre_bench.runner.predictions_log import PredictionsLog
from fsre_bench.runner.provenance import harness_info, provenance_summary

RANDOM_RUN = ["run", "--methods", "random", "--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes", "10",
              "--seeds", "0,1", "--n-bootstrap", "200"]


def _result_and_metas(output: Path) -> tuple[Path, list[Path]]:
    folder = output / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / "random"
    return next(folder.glob("n10_seeds0-1_*.json")), sorted(folder.glob("seed*.meta.json"))


def test_each_seed_records_harness_libraries_and_segments(tmp_path):
    assert main([*RANDOM_RUN, "--output-dir", str(tmp_path)]) == 0
    path, _ = _result_and_metas(tmp_path)
    result = ResultFile.load(path).result
    here = harness_info()
    for seed_row in result["per_seed"]:
        provenance = seed_row["provenance"]
        assert provenance["harness"] == here and provenance["packages"]["numpy"]
        assert provenance["segments"] == [{"from_episode": 0, "harness": here}]
        assert provenance["fitted_models"] == [] and provenance["training_data_sha256"] is None
    assert result["provenance"]["mixed"] is False and len(result["provenance"]["states"]) == 1
    assert result["flags"] | {"degenerate": None} == {"limited": False, "mixed": False, "dirty": bool(here["git_dirty"]),
                                                     "degenerate": None, "training_variance_measured": True,
                                                     "degenerate_seeds": [None] * len(result["per_seed"])}


def test_a_seed_of_unknown_provenance_is_refused_in_one_line_then_marked_mixed(tmp_path, capsys):
    """A seed 0 predicted before provenance was recorded (like the committed tkre seed 0) next to a new seed 1."""
    assert main([*RANDOM_RUN, "--output-dir", str(tmp_path)]) == 0
    path, metas = _result_and_metas(tmp_path)
    old = json.loads(metas[0].read_text())
    del old["provenance"]
    metas[0].write_text(json.dumps(old))
    metas[0].with_name(metas[0].name.replace(".meta.json", ".segments.jsonl")).unlink()
    path.unlink()
    capsys.readouterr()
    assert main([*RANDOM_RUN, "--output-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "seed 0: unknown" in err[0] and "--allow-mixed-provenance" in err[0]
    assert not path.exists() and all(m.exists() for m in metas)  # nothing computed is lost
    assert main([*RANDOM_RUN, "--output-dir", str(tmp_path), "--allow-mixed-provenance"]) == 0
    result = ResultFile.load(path).result
    assert result["flags"]["mixed"] is True and "unknown" in result["provenance"]["states"]


def test_reused_fitted_models_bring_the_state_that_trained_them():
    here = harness_info()
    other = {**here, "git_hash": "0" * 40}
    fine = {"harness": here, "fitted_models": [{"cache_key": "k", "reused": True, "produced_by": here}]}
    stale = {"harness": here, "fitted_models": [{"cache_key": "k", "reused": True, "produced_by": other}]}
    assert provenance_summary([(0, fine), (1, fine)], allow_mixed=False, source="x")["mixed"] is False
    summary = provenance_summary([(0, stale), (1, fine)], allow_mixed=True, source="x")
    assert summary["mixed"] is True and any("git 00000000" in state for state in summary["states"])


def test_a_resumed_log_keeps_who_predicted_which_episodes(tmp_path):
    log = PredictionsLog(tmp_path / "seed0_x.predictions.jsonl", {"method": "m"})
    assert log.segments() == [{"from_episode": 0, "harness": None}]  # a log from before segments existed
    first, second, third = ({"version": "0.1.0", "git_hash": h, "git_dirty": False} for h in ("a" * 40, "b" * 40, "c" * 40))
    log.start_segment(0, first)
    log.start_segment(7, second)
    assert [s["from_episode"] for s in log.segments()] == [0, 7]
    log.start_segment(5, third)  # the log was cut back to 5 episodes: the segment from 7 is gone
    assert log.segments() == [{"from_episode": 0, "harness": first}, {"from_episode": 5, "harness": third}]


def test_proto_ft_records_its_encoder_and_who_trained_it(tmp_path, capsys):
    """Real training (2 steps of MiniLM); the second run reuses the cached encoder and says who made it."""
    argv = ["run", "--methods", "proto-ft", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
            "--settings", "5-1", "--episodes", "3", "--seeds", "0", "--proto-ft-steps", "2", "--n-bootstrap", "100"]
    assert main([*argv, "--output-dir", str(tmp_path / "a")]) == 0
    printed = " ".join(capsys.readouterr().out.split())  # the table may wrap a note
    assert "proto-ft 5-1: 1 seed: training variance not measured; its CI covers episodes only" in printed
    assert main([*argv, "--output-dir", str(tmp_path / "b")]) == 0
    fitted = []
    for output in ("a", "b"):
        (path,) = (tmp_path / output / "runs").rglob("n3_seeds0_*.json")
        result = ResultFile.load(path).result
        fitted.append(result["per_seed"][0]["provenance"]["fitted_models"])
        assert result["flags"]["training_variance_measured"] is False
        assert "1 seed: training variance not measured" in result["metrics"]["accuracy"]["ci_method"]
    assert [models[0]["reused"] for models in fitted] == [False, True]
    assert fitted[0][0]["cache_key"] == fitted[1][0]["cache_key"]
    assert fitted[0][0]["produced_by"] == fitted[1][0]["produced_by"] == harness_info()
