"""AdamW with decoupled weight decay (not on biases / LayerNorm) and linear warmup then decay."""

from __future__ import annotations

from collections.abc import Iterable

import torch

_NO_DECAY = ("bias", "LayerNorm.weight", "layer_norm.weight", "LayerNorm.bias")


def adamw_with_warmup(
    named_parameters: Iterable[tuple[str, torch.nn.Parameter]],
    *,
    lr: float,
    total_steps: int,
    weight_decay: float = 0.01,
    warmup_ratio: float = 0.1,
    eps: float = 1e-6,
    lr_overrides: dict[str, float] | None = None,
) -> tuple[torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR]:
    """Optimizer and scheduler; ``lr_overrides`` maps a parameter-name prefix to its own lr (fresh heads)."""
    groups: dict[tuple[float, float], list[torch.nn.Parameter]] = {}
    for name, parameter in named_parameters:
        if not parameter.requires_grad:
            continue
        group_lr = next((v for prefix, v in (lr_overrides or {}).items() if name.startswith(prefix)), lr)
        decay = 0.0 if any(marker in name for marker in _NO_DECAY) else weight_decay
        groups.setdefault((group_lr, decay), []).append(parameter)
    optimizer = torch.optim.AdamW([{"params": p, "lr": g_lr, "weight_decay": wd} for (g_lr, wd), p in groups.items()],
                                  lr=lr, eps=eps)
    warmup = max(1, int(total_steps * warmup_ratio))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total_steps - step) / max(1, total_steps - warmup))

    return optimizer, torch.optim.lr_scheduler.LambdaLR(optimizer, factor)
