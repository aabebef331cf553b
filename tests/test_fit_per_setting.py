"""``--fit-per-setting``: one fitted model per (seed, setting); off, every hash is what it was."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from fsre_bench.runner import RunConfig, run
from fsre_bench.runner.plan import resolve_methods
from fsre_bench.runner.runner import method_config_hash, training_seed

RESULTS = Path(__file__).resolve().parents[1] / "results"


def _committed(method: str, setting: str) -> tuple[str, dict]:
    directory = RESULTS / "runs" / "fewrel_val_wiki" / "episodic" / setting / method
    header = json.loads(next(directory.glob("seed0_*.predictions.jsonl")).read_text().splitlines()[0])
    result = json.loads(next(directory.glob("n1000_*.json")).read_text())
    return header["method_config"], result


def test_off_the_method_hash_is_the_committed_one_and_on_it_differs():
    committed, result = _committed("proto-ft", "5-1")
    assert _committed("proto-ft", "5-5")[0] == committed  # today 5-5 and 5-1 share one fit
    data = SimpleNamespace(train=SimpleNamespace(source_sha256=result["dataset"]["train"]["sha256"]))
    options = dict(methods=["proto-ft"], dataset="fewrel/val_wiki", train="semeval2010/train", device="cpu",
                   batch_size=64, method_options=result["config"]["method_options"],
                   numerics="native")  # the committed results predate portable numerics
    assert _hash(RunConfig(**options), data) == committed
    assert _hash(RunConfig(**options, fit_per_setting=True), data) != committed


def _hash(config: RunConfig, data: SimpleNamespace) -> str:
    return method_config_hash(resolve_methods(config)[0], config, data)


def test_training_seed_differs_per_setting_and_is_stable():
    seeds = {training_seed(0, s) for s in ("5-1", "5-5", "10-1", "K=8")}
    assert len(seeds) == 4 and training_seed(0, "5-1") == training_seed(0, "5-1") != training_seed(1, "5-1")


def test_a_run_with_fit_per_setting_fits_each_setting_and_keeps_the_episodes(tmp_path):
    base = dict(methods=["random"], dataset="fewrel/val_wiki", settings=["5-1", "5-5"], episodes=8, seeds=[0, 1],
                n_bootstrap=100)
    shared = run(RunConfig(**base, output_dir=str(tmp_path / "shared")), command=["pytest"])
    separate = run(RunConfig(**base, output_dir=str(tmp_path / "separate"), fit_per_setting=True), command=["pytest"])
    assert all(o.status != "failed" and o.result_path for o in separate)
    for a, b in zip(shared, separate, strict=True):
        assert a.result["episodes"]["files"] == b.result["episodes"]["files"]  # same episodes: seeds drive them
        assert Path(a.result_path).name != Path(b.result_path).name  # another method hash: not the shared fit's
        assert b.result["config"]["fit_per_setting"] is True
