"""The machine a seed ran on, as far as its numbers can depend on it: CPU, kernel ISA, threads, math libraries.

torch is never imported here: a seed whose method never loaded torch (random, icl) records ``null``
kernels, which is the truth (nothing it computed went through them).
"""

from __future__ import annotations

import functools
import platform
import re
import sys
from typing import Any

# CPU flags that decide which kernels torch, oneDNN and MKL may pick.
_ISA_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_vnni", "amx_tile", "amx_bf16")


@functools.cache
def cpu_identity() -> dict[str, Any]:
    """Vendor, model name and the kernel-relevant ISA flags (from /proc/cpuinfo; elsewhere what platform says)."""
    fields: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.strip():
                    break  # the first processor's block describes them all
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    flags = set(fields.get("flags", "").split())
    return {"vendor": fields.get("vendor_id") or None, "model": fields.get("model name") or platform.processor() or None,
            "arch": platform.machine(), "isa_flags": [flag for flag in _ISA_FLAGS if flag in flags] if flags else None}


def kernel_libraries() -> dict[str, Any]:
    """The kernel ISA torch actually dispatches to, its thread counts and its MKL / oneDNN versions
    (all null when this process never loaded torch)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return {"torch": None, "cpu_capability": None, "threads": None, "mkl": None, "onednn": None}
    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability(),
            "threads": {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()},
            **_library_versions(torch.__config__.show())}


def _library_versions(config: str) -> dict[str, str | None]:
    mkl = re.search(r"Math Kernel Library Version ([\w.\-]+)", config)
    onednn = re.search(r"MKL-DNN v([\w.]+)", config)
    return {"mkl": mkl.group(1) if mkl else None, "onednn": onednn.group(1) if onednn else None}


def machine_label(numerics: dict[str, Any] | None) -> str:
    """One line naming a seed's machine and kernels, for listing the machines of a result."""
    if not numerics:
        return "unrecorded"
    cpu = numerics.get("cpu") or {}
    return (f"{cpu.get('vendor') or '?'} {cpu.get('model') or '?'}, {numerics.get('mode')} numerics, "
            f"kernels {numerics.get('cpu_capability') or 'unused'}, "
            f"{(numerics.get('threads') or {}).get('intra_op', '?')} thread(s) on {numerics.get('device')}")

