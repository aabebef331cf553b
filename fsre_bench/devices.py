"""Where tensors run: ``--device auto`` (CUDA when available, else CPU), bf16 autocast on CUDA, batch sizes.

``auto`` is resolved once, when the run's config is built, and the resolved name is what results
record and cache keys hash, so a CPU machine's ``auto`` run reuses its ``cpu`` results. torch is
imported only where an NVIDIA driver exists (an ``auto`` run on a CPU box stays import-light).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

from fsre_bench.errors import ConfigError

AUTO = "auto"
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
CPU_BATCH_SIZE = 64
# Encoder inference batch on CUDA: 64 per 8 GiB of device memory, between 128 and 1024
# (MiniLM-sized encoders at 256 tokens; a bigger --encoder may need an explicit --batch-size).
_GIB_PER_64 = 8
_CUDA_BATCH_RANGE = (128, 1024)


def nvidia_driver_present() -> bool:
    return Path("/proc/driver/nvidia/version").exists()


def cuda_available() -> bool:
    if not nvidia_driver_present():
        return False
    try:
        import torch
    except ModuleNotFoundError:
        return False
    return bool(torch.cuda.is_available())


def resolve_device(requested: str) -> str:
    """``auto`` -> ``cuda`` or ``cpu``; an explicit CUDA device must exist here (one line if not)."""
    if not _DEVICE.match(requested or ""):
        raise ConfigError(f"--device {requested!r} is not a device: use auto, cpu, cuda, cuda:N or mps")
    if requested == AUTO:
        return "cuda" if cuda_available() else "cpu"
    if requested.startswith("cuda") and not cuda_available():
        raise ConfigError(f"--device {requested}: torch sees no CUDA device on this machine; use --device auto or cpu")
    return requested


def default_batch_size(device: str) -> int:
    """The encoder batch size for ``device``: 64 on CPU, scaled by device memory on CUDA."""
    if not device.startswith("cuda"):
        return CPU_BATCH_SIZE
    import torch

    gib = torch.cuda.get_device_properties(torch.device(device)).total_memory / 2**30
    low, high = _CUDA_BATCH_RANGE
    return int(min(high, max(low, 64 * (gib // _GIB_PER_64))))


def uses_bf16(device: str) -> bool:
    """bf16 autocast on CUDA devices that support it; CPU stays float32 (bit-stable, and bf16 is slow there)."""
    if not device.startswith("cuda"):
        return False
    import torch

    return bool(torch.cuda.is_bf16_supported())


@contextlib.contextmanager
def autocast(device: str) -> Iterator[None]:
    """bf16 autocast where ``uses_bf16``; nothing elsewhere."""
    if not uses_bf16(device):
        yield
        return
    import torch

    with torch.autocast(device_type="cuda", dtype=torch.bfloat16):
        yield
