"""The torch device a run asks for, checked before any work (a warm embedding cache would otherwise hide it).

With every embedding cached, the encoder never touches the device, so ``--device tpu:7`` ran and
was recorded in the result as if it had been used; a cold cache failed deep in torch instead.
"""

from __future__ import annotations

import re

from fsre_bench.errors import ConfigError

_DEVICE = re.compile(r"^(cpu|mps|cuda)(?::(\d+))?$")


def check_device_name(device: str) -> None:
    """The form alone (no torch import): cpu, cuda, cuda:N or mps."""
    match = _DEVICE.match(str(device))
    if match is None or (match.group(1) != "cuda" and match.group(2) is not None):
        raise ConfigError(f"--device {device!r} is not a device: use cpu, cuda, cuda:N or mps")


def check_device_available(device: str) -> None:
    """That this machine has the device (imports torch only for a non-CPU device)."""
    check_device_name(device)
    kind, _, index = device.partition(":")
    if kind == "cpu":
        return
    import torch

    if kind == "mps":
        if not torch.backends.mps.is_available():
            raise ConfigError("--device mps: this machine (or this torch build) has no MPS device")
        return
    if not torch.cuda.is_available():
        raise ConfigError(f"--device {device}: no CUDA device is available (torch {torch.__version__}, "
                          f"CUDA build {torch.version.cuda or 'none'}); use --device cpu")
    count = torch.cuda.device_count()
    if index and int(index) >= count:
        raise ConfigError(f"--device {device}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}")
