"""Training precision: fp32 on CPU whatever was asked, bad names refused, a plain optimiser step on CPU."""

from __future__ import annotations

import pytest
import torch

from fsre_bench.errors import ConfigError
from fsre_bench.precision import PRECISIONS, OptimizerStep, autocast, resolve_precision


def test_cpu_always_runs_fp32_and_cuda_keeps_an_explicit_choice() -> None:
    assert {resolve_precision("cpu", p) for p in PRECISIONS} == {"fp32"}
    assert resolve_precision("cuda:0", "fp16") == "fp16" and resolve_precision("cuda", "fp32") == "fp32"
    with pytest.raises(ConfigError, match=r"precision 'int8': use one of auto, bf16, fp16, fp32"):
        resolve_precision("cpu", "int8")


def test_autocast_on_cpu_changes_nothing() -> None:
    layer = torch.nn.Linear(3, 2)
    with autocast("cpu", "bf16"):
        out = layer(torch.ones(1, 3))
    assert out.dtype == torch.float32


def test_an_optimizer_step_clips_the_gradient_and_steps() -> None:
    torch.manual_seed(0)
    layer = torch.nn.Linear(3, 1, bias=False)
    before = layer.weight.detach().clone()
    optimizer = torch.optim.SGD(layer.parameters(), lr=1.0)
    step = OptimizerStep("cpu", "auto", clip=0.5)
    assert not step.scaler.is_enabled()  # loss scaling only where fp16 runs
    step((layer(torch.full((1, 3), 100.0)) ** 2).sum(), optimizer, layer.parameters())
    assert torch.linalg.vector_norm(layer.weight.grad) == pytest.approx(0.5, rel=1e-5)  # clipped to the cap
    assert torch.allclose(layer.weight.detach(), before - layer.weight.grad)  # lr 1: one plain step
