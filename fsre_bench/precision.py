"""Mixed precision on CUDA (bf16 where the GPU has it, else fp16 with loss scaling); CPU stays fp32.

Every trained method goes through ``autocast`` for its forward passes and ``optimizer_step`` for
its updates, so ``--device cuda`` gets the same precision everywhere and CPU runs are unchanged.
torch is imported only where it is used (CUDA, or an optimiser step): the frozen encoder imports this
module, and a run whose embeddings are all cached never loads torch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from fsre_bench.errors import ConfigError

if TYPE_CHECKING:
    import torch

PRECISIONS = ("auto", "bf16", "fp16", "fp32")


def resolve_precision(device: str, precision: str = "auto") -> str:
    """The precision that runs: fp32 on CPU whatever was asked; "auto" on CUDA is bf16 if supported, else fp16."""
    if precision not in PRECISIONS:
        raise ConfigError(f"precision {precision!r}: use one of {', '.join(PRECISIONS)}")
    if not str(device).startswith("cuda"):
        return "fp32"
    if precision == "auto":
        import torch

        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return precision


@contextlib.contextmanager
def autocast(device: str, precision: str = "auto") -> Iterator[None]:
    """``torch.autocast`` at the resolved precision; a no-op for fp32 (and so on CPU)."""
    resolved = resolve_precision(device, precision)
    if resolved == "fp32":
        yield
        return
    import torch

    dtype = torch.bfloat16 if resolved == "bf16" else torch.float16
    with torch.autocast(device_type="cuda", dtype=dtype):
        yield


class OptimizerStep:
    """backward + gradient clipping + step, with fp16 loss scaling where fp16 runs (a no-op scaler otherwise)."""

    def __init__(self, device: str, precision: str = "auto", clip: float = 1.0) -> None:
        import torch

        self.scaler = torch.amp.GradScaler("cuda", enabled=resolve_precision(device, precision) == "fp16")
        self.clip = clip

    def __call__(self, loss: torch.Tensor, optimizer: torch.optim.Optimizer,
                 parameters: Iterable[torch.nn.Parameter]) -> None:
        import torch

        optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(loss).backward()
        self.scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_([p for p in parameters if p.requires_grad], self.clip)
        self.scaler.step(optimizer)
        self.scaler.update()
