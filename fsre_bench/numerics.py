"""Which CPU kernels compute a run's numbers: ``portable`` (the same bytes on any x86-64 with AVX2) or ``native``.

torch picks its CPU kernels by the instruction set it finds, so the same MiniLM forward pass gives other
bytes on an AVX-512 machine than on an AVX2 one, and a trained model drifts further. Portable mode fixes
that choice with environment variables, which torch and its libraries read once, when they first load a
kernel: so ``apply_numerics`` runs before torch is first imported (the CLI's run/ablate/reproduce, the
runner, Ray workers through their runtime env, and any subprocess, which inherits the variables).

Measured on an AMD EPYC (AVX-512) with torch 2.13 / MKL 2024.2 / oneDNN 3.12 (32 sentences through
MiniLM, then one AdamW step of MiniLM + a linear head):
- ``ONEDNN_MAX_CPU_ISA=AVX2`` changes the embeddings' bytes (oneDNN runs the linear layers and JITs
  its kernels for the best ISA it finds) and the trained weights;
- ``ATEN_CPU_CAPABILITY=avx2`` leaves the embeddings alone but changes the trained weights (ATen's own
  vectorised kernels: softmax, layer norm, GELU, the optimiser's element-wise math, reductions);
- the intra-op thread count changes the trained weights (1, 2, 3 and 4 threads: four sha256s; the
  backward pass reduces over the batch in per-thread chunks) but not the embeddings;
- ``MKL_CBWR`` and ``MKL_ENABLE_INSTRUCTIONS`` change nothing there: on AMD, MKL already takes its
  AVX2 path. On Intel it takes its AVX-512 (or AMX) path unless ``MKL_CBWR=AVX2`` pins the branch, so
  it is set for those machines (conditional numerical reproducibility is the documented way; it
  supersedes ``MKL_ENABLE_INSTRUCTIONS``, which only caps the ISA and is therefore not set).
Capping both kernel choosers at AVX2 and pinning the thread count is what suffices for byte-identical
embeddings and trained models between an uncapped and an AVX2-capped process (tests/test_numerics_*).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from fsre_bench.errors import ConfigError

PORTABLE = "portable"
NATIVE = "native"
NUMERICS_MODES = (PORTABLE, NATIVE)
MODE_ENV = "FSRE_BENCH_NUMERICS"  # the process's mode, inherited by Ray workers and subprocesses
THREADS_ENV = "FSRE_BENCH_PORTABLE_THREADS"
# One intra-op thread by default: a trained model's bytes depend on the count, so it must be the same on
# every machine, and one is what every machine has (a grid scales out one unit per process or Ray task).
PORTABLE_THREADS = 1
PORTABLE_ISA = "AVX2"  # the newest ISA nearly every x86-64 machine of the last decade has

# What portable mode exports, and why each (see the module docstring for the measurements).
PORTABLE_KERNEL_ENV = {
    "ATEN_CPU_CAPABILITY": "avx2",  # ATen's vectorised kernels: read when torch's dispatch first runs
    "ONEDNN_MAX_CPU_ISA": PORTABLE_ISA,  # oneDNN's JIT kernels (linear layers): read at its first kernel
    "MKL_CBWR": PORTABLE_ISA,  # MKL's code branch, which it otherwise picks by CPU vendor and ISA
}


def portable_threads() -> int:
    """The pinned intra-op thread count (``FSRE_BENCH_PORTABLE_THREADS`` overrides 1; results record it)."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if not text:
        return PORTABLE_THREADS
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(f"{THREADS_ENV}={text!r}: give a whole number of threads >= 1")
    return int(text)


def portable_env() -> dict[str, str]:
    """Every variable portable mode sets, thread counts included (OpenMP and MKL read theirs at load)."""
    threads = str(portable_threads())
    return {**PORTABLE_KERNEL_ENV, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads, MODE_ENV: PORTABLE}


def active_mode() -> str:
    """The mode this process runs in; a process nobody set up (a library user) runs native kernels."""
    return os.environ.get(MODE_ENV) or NATIVE


def check_mode(mode: str) -> str:
    if mode not in NUMERICS_MODES:
        raise ConfigError(f"--numerics {mode!r} is not one of: {', '.join(NUMERICS_MODES)}")
    return mode


def apply_numerics(mode: str) -> None:
    """Export ``mode``'s settings for this process and its children; refuse if torch already chose kernels.

    Native mode leaves the kernel variables as they are (the machine's own choice, or what the user set).
    """
    check_mode(mode)
    if mode == NATIVE:
        os.environ[MODE_ENV] = NATIVE
        return
    wanted = portable_env()
    if "torch" in sys.modules and not _torch_kernels_portable(wanted):
        raise ConfigError("--numerics portable: torch was imported in this process before its CPU kernels could be "
                          f"fixed; start a fresh process, or export {_exports(wanted)} before importing torch, "
                          "or pass --numerics native")
    os.environ.update(wanted)
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(portable_threads())


def _torch_kernels_portable(wanted: dict[str, str]) -> bool:
    """With torch already loaded, portable only if the kernel variables were there before it (checked by value)."""
    if any(os.environ.get(name) != value for name, value in PORTABLE_KERNEL_ENV.items()):
        return False
    return sys.modules["torch"].backends.cpu.get_cpu_capability() == PORTABLE_ISA


def _exports(wanted: dict[str, str]) -> str:
    return " ".join(f"{name}={value}" for name, value in wanted.items() if name != MODE_ENV)


def cache_namespace(*parts: str) -> tuple[str, ...]:
    """A cache of computed tensors (embeddings, trained models) per mode: portable ones live apart from
    native ones, whose location is unchanged (caches written before numerics existed were native)."""
    return (PORTABLE, *parts) if active_mode() == PORTABLE else parts


def numerics_record(device: str) -> dict[str, Any]:
    """What one seed's numbers were computed with: mode, kernel ISA, thread counts, library versions, CPU."""
    from fsre_bench.machine import cpu_identity, kernel_libraries

    mode = active_mode()
    on_cpu = not str(device).startswith(("cuda", "mps"))
    record: dict[str, Any] = {
        "mode": mode,
        # A GPU's kernels are chosen by its driver, architecture and library heuristics: no env var pins them.
        "bit_portable": mode == PORTABLE and on_cpu,
        "device": device,
        "env": {name: os.environ.get(name) for name in (*PORTABLE_KERNEL_ENV, "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "cpu": cpu_identity(),
        **kernel_libraries(),
    }
    return record
