"""Where tensors run: ``--device auto`` (CUDA when available, else CPU) and batch sizes by device.

The precision tensors run at on a device (bf16/fp16 autocast on CUDA) is fsre_bench/precision.py.

``auto`` is resolved once, when the run's config is built, and the resolved name is what results
record and cache keys hash, so a CPU machine's ``auto`` run reuses its ``cpu`` results. torch is
imported only where an NVIDIA driver exists (an ``auto`` run on a CPU box stays import-light).
"""

from __future__ import annotations

import re
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
    """``auto`` -> ``cuda`` or ``cpu``; an explicit device must exist here (one line if not).

    The one device check of a run, made by run() first (RunConfig.on_this_machine): before any work, because with
    every embedding cached the encoder never touches the device (``--device tpu:7`` once ran and
    was recorded as if used). torch is imported only for a non-CPU device.
    """
    if not _DEVICE.match(requested or ""):
        raise ConfigError(f"--device {requested!r} is not a device: use auto, cpu, cuda, cuda:N or mps")
    if requested == AUTO:
        return "cuda" if cuda_available() else "cpu"
    if requested == "mps":
        import torch

        if not torch.backends.mps.is_available():
            raise ConfigError("--device mps: this machine (or this torch build) has no MPS device")
    if requested.startswith("cuda"):
        if not cuda_available():
            raise ConfigError(f"--device {requested}: torch sees no CUDA device on this machine; "
                              "use --device auto or cpu")
        import torch

        count = torch.cuda.device_count()
        _, _, index = requested.partition(":")
        if index and int(index) >= count:
            raise ConfigError(f"--device {requested}: this machine has {count} CUDA device(s), "
                              f"cuda:0 to cuda:{count - 1}")
    return requested


def default_batch_size(device: str) -> int:
    """The encoder batch size for ``device``: 64 on CPU, scaled by device memory on CUDA."""
    if not device.startswith("cuda"):
        return CPU_BATCH_SIZE
    import torch

    gib = torch.cuda.get_device_properties(torch.device(device)).total_memory / 2**30
    low, high = _CUDA_BATCH_RANGE
    return int(min(high, max(low, 64 * (gib // _GIB_PER_64))))
