"""``--llm vllm --llm-model PATH_OR_NAME``: `vllm serve` on a free loopback port, for GPU machines.

The lifecycle (readiness on ``/v1/models``, a first completion, death detection, stop, no orphans)
is ``managed_server``'s, as for ``--llm local``. vLLM spawns its own engine processes, so the
child is `vllm serve` under a supervisor that takes the whole process group down when this
process dies. vLLM pins its own torch, so it often lives in a virtualenv of its own: point
``FSRE_BENCH_VLLM_EXECUTABLE`` at that venv's ``vllm``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fsre_bench.devices import cuda_available
from fsre_bench.errors import LLMError
from fsre_bench.llm.managed_server import (
    SUPERVISOR,
    ManagedServer,
    acquire_server,
    free_loopback_port,
    start_server,
)

VLLM_EXECUTABLE_ENV = "FSRE_BENCH_VLLM_EXECUTABLE"
INSTALL_HINT = f"install it on a GPU machine with: pip install vllm (or set {VLLM_EXECUTABLE_ENV} to a vllm executable)"
START_TIMEOUT_S = 900.0  # loading weights and capturing CUDA graphs takes minutes for large models


def vllm_executable() -> str | None:
    """``$FSRE_BENCH_VLLM_EXECUTABLE``, else ``vllm`` beside this Python, else on PATH."""
    configured = os.environ.get(VLLM_EXECUTABLE_ENV)
    if configured:
        return configured if Path(configured).is_file() and os.access(configured, os.X_OK) else None
    beside = Path(sys.executable).with_name("vllm")
    return str(beside) if beside.is_file() else shutil.which("vllm")


def check_vllm_usable() -> None:
    """One line naming everything ``--llm vllm`` lacks here (a CUDA device, the vllm executable)."""
    missing = []
    if not cuda_available():
        missing.append("a CUDA GPU (torch sees none here)")
    if vllm_executable() is None:
        configured = os.environ.get(VLLM_EXECUTABLE_ENV)
        missing.append(f"vllm ({VLLM_EXECUTABLE_ENV}={configured} is not an executable file)" if configured
                       else f"vllm (not installed; {INSTALL_HINT})")
    if missing:
        raise LLMError(f"--llm vllm needs {' and '.join(missing)}; on this machine use --llm local "
                       f"or --llm remote --llm-base-url URL")


def check_vllm_requested(method_options: dict[str, Any]) -> None:
    """Before any work: a run whose LLM settings ask for vLLM fails here if vLLM cannot run."""
    from fsre_bench.llm.config import llm_config_from_options

    if "llm" in method_options and llm_config_from_options(method_options["llm"]).mode == "vllm":
        check_vllm_usable()


def get_vllm_server(model: str, *, executable: str | None = None, extra_args: Sequence[str] = (),
                    start_timeout_s: float = START_TIMEOUT_S) -> ManagedServer:
    """The running `vllm serve` for ``model`` (started once per process); hand it back with ``release_server``.

    The served model id is ``model`` as given, so requests, results and cache keys name it the same way.
    """
    program = executable or vllm_executable()
    if program is None:
        raise LLMError(f"--llm vllm: no vllm executable found; {INSTALL_HINT}")
    key = ("vLLM", program, model, tuple(extra_args))
    return acquire_server(key, lambda: _start_vllm(program, model, tuple(extra_args), start_timeout_s))


def _start_vllm(program: str, model: str, extra_args: tuple[str, ...], timeout_s: float) -> ManagedServer:
    port = free_loopback_port()
    command = [sys.executable, "-c", SUPERVISOR, str(os.getpid()), program, "serve", model,
               "--host", "127.0.0.1", "--port", str(port), "--served-model-name", model, *extra_args]
    return start_server("vLLM", command, port, model, model_identity(model), timeout_s, INSTALL_HINT)


def model_identity(model: str) -> str:
    """``vllm:<name>``, plus a fingerprint of a local model directory's files (names and sizes), so cache
    keys change when the weights at a path do, and stay when only the port does."""
    path = Path(model).expanduser()
    if not path.is_dir():
        return f"vllm:{model}"
    listing = sorted((str(p.relative_to(path)), p.stat().st_size) for p in path.rglob("*") if p.is_file())
    fingerprint = hashlib.sha256(repr(listing).encode()).hexdigest()[:16]
    return f"vllm:{path.name}:{fingerprint}"
