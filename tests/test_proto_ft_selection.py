"""proto-ft / proto-ft-desc with model selection on held-out training relations, real MiniLM, tiny budgets."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from fsre_bench.cli.main import main
from fsre_bench.errors import ConfigError
from fsre_bench.precision import OptimizerStep, autocast, resolve_precision

# --select-refit all: these tests are about the refit path (the default is none since issue 31)
TINY = ["--select-refit", "all", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train", "--settings", "5-1", "--episodes", "3",
        "--seeds", "0", "--proto-ft-steps", "3", "--select-dev-episodes", "4",
        "--option", "select_checkpoints=[0.34, 1.0]", "--option", "select_lrs=[5e-5, 1e-4]"]


def _results(out: Path) -> dict[str, dict]:
    paths = [p for p in (out / "runs").rglob("*.json") if not p.name.endswith(".meta.json")]
    return {r["method"]["name"]: r for r in (json.loads(p.read_text()) for p in paths)}


@pytest.mark.slow
def test_proto_ft_desc_selects_lr_steps_and_fusion_weight_on_dev_relations_only(tmp_path: Path) -> None:
    code = main(["run", "--methods", "proto-ft-desc", *TINY, "--output-dir", str(tmp_path)])
    assert code == 0
    meta = _results(tmp_path)["proto-ft-desc"]["method"]
    extra = meta["extra"]
    selection = extra["model_selection"]
    dev = set(selection["dev_relations"])
    # chosen without the dev relations; the evaluated encoder is the refit on all of them (dev ones included)
    assert len(dev) == 4 and not dev & set(selection["trained_on"]) and dev <= set(meta["training_relations"])
    assert set(meta["training_relations"]) == set(selection["refit"]["trained_on"]) == set(selection["trained_on"]) | dev
    # 2 lrs x checkpoints at steps 1 and 3, every score recorded; the chosen one is the first best
    assert [(h["lr"], h["steps"]) for h in selection["history"]] == [(5e-5, 1), (5e-5, 3), (1e-4, 1), (1e-4, 3)]
    best = max(h["dev_accuracy"] for h in selection["history"])
    first_best = next(h for h in selection["history"] if h["dev_accuracy"] == best)
    assert selection["chosen"] == {"lr": first_best["lr"], "steps": first_best["steps"]}
    # the evaluated encoder is refit with the chosen lr for the chosen steps; the selection itself spent both runs
    selected = extra["spent"]["stages"]["meta_train"]
    assert selected["steps"] == first_best["steps"]
    assert {k: selection["refit"][k] for k in ("lr", "steps")} == selection["chosen"]
    assert extra["training"]["selection_spent"]["steps"] == 6
    # counted when the checkpoint was reached, not prorated: whole texts (5-way 2-shot + 1 query: 15 a step)
    assert isinstance(selected["tokens"], int) and selected["texts"] == 15 * selected["steps"]
    assert 0 < selected["tokens"] < extra["training"]["selection_spent"]["tokens"]
    tuning = extra["dev_tuning"]["5-1"]
    weights = [s["fusion_weight"] for s in tuning["fusion_scores"]]
    assert weights == [0.0, 0.25, 0.5, 1.0, 2.0] and tuning["fusion_weight"] in weights
    assert extra["fuse_descriptions"] is True


@pytest.mark.slow
def test_proto_ft_nota_threshold_comes_from_dev_relations_when_there_are_enough(tmp_path: Path) -> None:
    code = main(["run", "--methods", "proto-ft", *TINY[:-4], "--na-rate", "0.5", "--select-dev-relations", "6",
                 "--output-dir", str(tmp_path)])
    assert code == 0
    result = _results(tmp_path)["proto-ft"]
    extra = result["method"]["extra"]
    tuning = next(iter(extra["dev_tuning"].values()))
    assert tuning["nota_calibrated_on"] == "dev relations" and tuning["nota_threshold"] == extra["nota_threshold"]
    selection = extra["model_selection"]
    assert len(selection["dev_relations"]) == 6 and selection["space"]["refit"] == "all"
    # calibrated with the selection encoder, which never saw a dev relation, not the refit that is evaluated
    evaluated, selector = extra["training"]["encoder_dir"], selection["selection_key"]
    assert evaluated != selector and tuning["nota_calibrated_with"] == f"the selection encoder {selector}"
    fitted = result["per_seed"][0]["provenance"]["fitted_models"]
    assert [(m["kind"], m["cache_key"]) for m in fitted] == [
        ("proto-ft encoder", evaluated), ("proto-ft encoder (selection, without the dev relations)", selector)]


@pytest.mark.slow
def test_without_refit_the_evaluated_encoder_is_the_selection_checkpoint(tmp_path: Path) -> None:
    code = main(["run", "--methods", "proto-ft", *TINY[:-4], "--select-refit", "none", "--output-dir", str(tmp_path)])
    assert code == 0
    extra = _results(tmp_path)["proto-ft"]["method"]["extra"]
    selection = extra["model_selection"]
    assert "refit" not in selection and extra["training"]["training_relations"] == sorted(selection["trained_on"])
    assert selection["space"]["refit"] == "none" and selection["selection_key"] == extra["training"]["encoder_dir"]
    assert not set(selection["dev_relations"]) & set(extra["training"]["training_relations"])


@pytest.mark.slow
def test_a_run_stopped_early_is_the_full_schedules_checkpoint(data_dir) -> None:
    """``stop_after``: a refit for the chosen steps trains exactly as the selected run did up to its checkpoint.

    20 steps with the stop at 5: past the warm-up, so a schedule built over the 5 steps run (instead
    of the 20 planned) would give other learning rates at steps 3-5 and other weights.
    """
    from baselines.episodic_training import EpisodicBudget, train_episodic
    from fsre_bench.data import load_dataset
    from fsre_bench.encoders.identity import resolve_encoder_path

    semeval_train = load_dataset("semeval2010/train", data_dir)
    budget, base = EpisodicBudget.from_options({"proto_ft_steps": 20, "proto_ft_n_way": 3, "proto_ft_k_shot": 1}), resolve_encoder_path(None)
    at_step_5: dict[str, torch.Tensor] = {}

    def keep(step, encoder, tokenizer) -> None:
        at_step_5.update({k: v.detach().clone() for k, v in encoder.state_dict().items()})

    train_episodic(semeval_train, budget, base, "full", seed=0, checkpoints=(5,), on_checkpoint=keep, save=False)
    stopped = train_episodic(semeval_train, budget, base, "stopped", seed=0, namespace="test_stop_after",
                             stop_after=5, info_extra={"why": "test"})
    assert stopped.info["steps"] == 5 and stopped.info["why"] == "test" and stopped.info["budget"]["steps"] == 5
    from transformers import AutoModel

    weights = AutoModel.from_pretrained(stopped.path).state_dict()
    assert all(torch.equal(weights[k], at_step_5[k]) for k in at_step_5)
    # the same 5 episodes on a 5-step schedule (what a refit must not do) end elsewhere: the comparison can fail
    short = train_episodic(semeval_train, replace(budget, steps=5), base, "short", seed=0, namespace="test_stop_after")
    assert not all(torch.equal(AutoModel.from_pretrained(short.path).state_dict()[k], at_step_5[k]) for k in at_step_5)


def test_precision_is_fp32_on_cpu_and_validated() -> None:
    assert resolve_precision("cpu", "bf16") == "fp32" and resolve_precision("cpu") == "fp32"
    with pytest.raises(ConfigError, match="precision 'fp8'"):
        resolve_precision("cuda", "fp8")
    layer = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    before = layer.weight.detach().clone()
    with autocast("cpu"):
        loss = layer(torch.ones(2, 3)).pow(2).mean()
    assert loss.dtype == torch.float32
    OptimizerStep("cpu", clip=1.0)(loss, optimizer, layer.parameters())
    assert not torch.equal(before, layer.weight)
