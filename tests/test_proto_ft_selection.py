"""proto-ft / proto-ft-desc with model selection on held-out training relations, real MiniLM, tiny budgets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from fsre_bench.cli.main import main
from fsre_bench.errors import ConfigError
from fsre_bench.precision import OptimizerStep, autocast, resolve_precision

TINY = ["--dataset", "fewrel/val_wiki", "--train", "semeval2010/train", "--settings", "5-1", "--episodes", "3",
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
    assert len(dev) == 4 and not dev & set(meta["training_relations"])
    # 2 lrs x checkpoints at steps 1 and 3, every score recorded; the chosen one is the first best
    assert [(h["lr"], h["steps"]) for h in selection["history"]] == [(5e-5, 1), (5e-5, 3), (1e-4, 1), (1e-4, 3)]
    best = max(h["dev_accuracy"] for h in selection["history"])
    first_best = next(h for h in selection["history"] if h["dev_accuracy"] == best)
    assert selection["chosen"] == {"lr": first_best["lr"], "steps": first_best["steps"]}
    # the evaluated encoder is the selected checkpoint; the selection itself spent both runs
    selected = extra["spent"]["stages"]["meta_train"]
    assert selected["steps"] == first_best["steps"]
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
    extra = _results(tmp_path)["proto-ft"]["method"]["extra"]
    tuning = next(iter(extra["dev_tuning"].values()))
    assert tuning["nota_calibrated_on"] == "dev relations" and tuning["nota_threshold"] == extra["nota_threshold"]
    assert len(extra["model_selection"]["dev_relations"]) == 6


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
