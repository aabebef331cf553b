"""AdamW parameter groups (no decay on biases and LayerNorm, own lr for fresh heads) and warmup-then-decay."""

from __future__ import annotations

import pytest
import torch

from fsre_bench.training.optim import adamw_with_warmup


class _Toy(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.body = torch.nn.Linear(3, 3)
        self.LayerNorm = torch.nn.LayerNorm(3)
        self.head = torch.nn.Linear(3, 2)
        self.frozen = torch.nn.Linear(3, 3)
        self.frozen.requires_grad_(False)


def _groups(optimizer) -> dict[tuple[float, float], set[int]]:
    return {(g["lr"], g["weight_decay"]): {id(p) for p in g["params"]} for g in optimizer.param_groups}


def test_decay_skips_biases_and_layer_norm_and_heads_get_their_own_lr() -> None:
    model = _Toy()
    optimizer, _ = adamw_with_warmup(model.named_parameters(), lr=1e-4, total_steps=10, weight_decay=0.02,
                                     lr_overrides={"head.": 1e-2})
    groups = _groups(optimizer)
    assert groups == {
        (1e-4, 0.02): {id(model.body.weight)},
        (1e-4, 0.0): {id(model.body.bias), id(model.LayerNorm.weight), id(model.LayerNorm.bias)},
        (1e-2, 0.02): {id(model.head.weight)},
        (1e-2, 0.0): {id(model.head.bias)},
    }  # the frozen layer is in no group
    assert optimizer.defaults["eps"] == 1e-6


def _lr_per_step(total_steps: int, warmup_ratio: float) -> list[float]:
    """The first group's lr at each step 0 .. total_steps (base lr 1, so the schedule's factor)."""
    optimizer, scheduler = adamw_with_warmup(_Toy().named_parameters(), lr=1.0, total_steps=total_steps,
                                             warmup_ratio=warmup_ratio)
    seen = []
    for _ in range(total_steps + 1):
        seen.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return seen


def test_the_lr_rises_linearly_over_the_warmup_then_falls_to_zero() -> None:
    factors = _lr_per_step(20, 0.2)
    assert factors[:5] == pytest.approx([0.25, 0.5, 0.75, 1.0, 1.0])  # 4 warmup steps, then (20 - s) / 16
    assert factors[4:] == pytest.approx([(20 - s) / 16 for s in range(4, 21)])
    assert factors[-1] == 0.0


def test_a_tiny_budget_still_warms_up_for_one_step() -> None:
    assert _lr_per_step(3, 0.1) == pytest.approx([1.0, 1.0, 0.5, 0.0])
