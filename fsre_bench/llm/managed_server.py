"""OpenAI-compatible server children this process starts on loopback and never leaves behind.

Shared by ``--llm local`` (llama.cpp) and ``--llm vllm``: a child in its own session (Ctrl-C in the
terminal reaches us, and we stop it in order), a readiness wait on ``/v1/models``, one 1-token
completion before any episode work, death detection with the child's last log line, and one
server per settings key shared by every user in the process (reference-counted). Stopped by
``stop_managed_servers()``, and first thing on Ctrl-C (SIGINT) and SIGTERM, before any
``finally`` waits on a request the server would keep answering, and at interpreter exit as a
safety net; the child watches its parent and exits when it dies, so even a SIGKILLed run leaves
no orphan.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

from fsre_bench.errors import LLMError
from fsre_bench.llm.process_group import signal_group, wait_group_gone

# Runs a command under a watchdog: when our parent goes, the whole process group goes (the server's
# own workers too): SIGTERM, up to 10 s to exit, then SIGKILL. The supervisor ignores the group's
# SIGTERM (set after the child starts, so the child does not inherit it) and mirrors a child killed by
# a signal, so the parent's death message names the real signal.
SUPERVISOR = """
import os, signal, subprocess, sys, time
parent = int(sys.argv[1])
child = subprocess.Popen(sys.argv[2:])
signal.signal(signal.SIGTERM, signal.SIG_IGN)
while child.poll() is None:
    if os.getppid() != parent:
        os.killpg(0, signal.SIGTERM)
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        os.killpg(0, signal.SIGKILL)
    time.sleep(0.5)
code = child.wait()
if code < 0:
    signal.signal(-code, signal.SIG_DFL)
    os.kill(os.getpid(), -code)
sys.exit(code)
"""


# Seconds stop() waits after SIGTERM, and again after SIGKILL: an interrupted run must exit in seconds.
STOP_WAIT_S = 2.0
# How long the signal path waits for another thread that holds the server table before giving up on it.
SIGNAL_LOCK_WAIT_S = 1.0


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ManagedServer:
    """A running server child process and how to reach it."""

    kind: str  # "llama.cpp" | "vLLM": named in every message
    model_alias: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    endpoint_id: str  # stable identity for cache keys (the port changes every run; the model does not)
    start_s: float = 0.0
    users: int = 0  # clients holding it; the last release stops it
    keep_log: bool = False
    stopped: bool = False  # stop() ran: a second call (release after a Ctrl-C stop) does nothing

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
        return (f"the local {self.kind} server (pid {self.process.pid}) died, {how}; "
                f"last log line: {last_log_line(self.log_path)}; log: {self.log_path}")

    def stop(self, timeout_s: float = STOP_WAIT_S) -> None:
        """SIGTERM the child's process group, SIGKILL whatever lingers, until no member runs (idempotent)."""
        if self.stopped:
            return
        self.stopped = True
        if self.process.poll() is not None:
            self.death_reason()  # it died on its own: keep its log
        signal_group(self.process.pid, signal.SIGTERM)
        # A server busy with a request (uvicorn waits for it on SIGTERM) gets the short wait, then SIGKILL.
        if not wait_group_gone(self.process, timeout_s):
            signal_group(self.process.pid, signal.SIGKILL)
            wait_group_gone(self.process, timeout_s)
        if not self.keep_log:
            with contextlib.suppress(OSError):
                self.log_path.unlink()


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def start_server(kind: str, command: list[str], port: int, alias: str, endpoint_id: str, timeout_s: float,
                 hint: str, first_completion_hint: str = "") -> ManagedServer:
    """Start ``command`` (which serves ``alias`` on loopback ``port``) and wait until it answers a completion.

    ``hint`` ends the message of a start-up exit (how to install); ``first_completion_hint`` that of a
    server dying on its first completion.
    """
    log_fd, log_name = tempfile.mkstemp(prefix=f"fsre-{kind.lower().replace('.', '')}-server-", suffix=".log")
    t0 = time.monotonic()
    with os.fdopen(log_fd, "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    server = ManagedServer(kind, alias, port, process, Path(log_name), endpoint_id)
    try:
        wait_until_serving(server, timeout_s, hint)
        check_first_completion(server, timeout_s, first_completion_hint)
    except BaseException:
        server.stop()
        raise
    server.start_s = time.monotonic() - t0
    return server


def wait_until_serving(server: ManagedServer, timeout_s: float, hint: str) -> None:
    deadline = time.monotonic() + timeout_s
    url = server.base_url + "/models"
    while time.monotonic() < deadline:
        if not server.alive():
            raise LLMError(f"the local {server.kind} server exited during start-up "
                           f"({last_log_line(server.log_path)}); {hint}")
        try:
            with urllib.request.urlopen(url, timeout=2.0) as response:
                served = [m.get("id") for m in json.load(response).get("data", [])]
            if server.model_alias in served:
                return
        except (urllib.error.URLError, OSError, ValueError):
            pass
        time.sleep(0.1)
    raise LLMError(
        f"the local {server.kind} server did not answer {url} within {timeout_s:.0f} s "
        f"(last log line: {last_log_line(server.log_path)})"
    )


def check_first_completion(server: ManagedServer, timeout_s: float, hint: str = "") -> None:
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
        raise LLMError(f"{dead} on its first completion{'; ' + hint if hint else ''}")
    raise LLMError(f"the local {server.kind} server answered its first test completion with {problem} "
                   f"(log: {server.log_path})")


def last_log_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return "no log"
    return lines[-1][:300] if lines else "no output"


_servers: dict[Hashable, ManagedServer] = {}
# Re-entrant: the SIGINT/SIGTERM handler runs in the main thread, possibly while it holds the table.
_servers_lock = threading.RLock()
_hooks_installed = False


def acquire_server(key: Hashable, start: Callable[[], ManagedServer]) -> ManagedServer:
    """The running server for ``key``, started (once per process) by ``start`` if needed; takes a reference."""
    with _servers_lock:
        server = _servers.get(key)
        if server is None or not server.alive():
            server = start()
            _servers[key] = server
            _install_exit_hooks()
        server.users += 1
        return server


def release_server(server: ManagedServer) -> None:
    """Drop one reference; the server stops when nobody holds it any more."""
    with _servers_lock:
        server.users = max(0, server.users - 1)
        if server.users:
            return
        for key, value in list(_servers.items()):
            if value is server:
                del _servers[key]
    server.stop()


def stop_managed_servers(lock_timeout_s: float = -1) -> None:
    """Stop every server this process started (idempotent).

    ``lock_timeout_s``: from a signal handler, give up after that long if another thread holds the
    server table (the releases and atexit still stop them); -1 waits as long as it takes.
    """
    if not _servers_lock.acquire(timeout=lock_timeout_s):
        return
    try:
        servers = list(_servers.values())
        _servers.clear()
    finally:
        _servers_lock.release()
    for server in servers:
        server.stop()


def running_managed_servers() -> list[ManagedServer]:
    with _servers_lock:
        return [s for s in _servers.values() if s.alive()]


def _install_exit_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(stop_managed_servers)
    if threading.current_thread() is not threading.main_thread():
        return
    # Only where nobody set a handler of their own: SIGTERM's default skips atexit and finally-blocks;
    # Python's default SIGINT handler raises KeyboardInterrupt only after the servers are stopped here.
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupt_after_stopping)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    stop_managed_servers(SIGNAL_LOCK_WAIT_S)
    raise SystemExit(128 + signum)


def _interrupt_after_stopping(signum: int, frame: object) -> None:
    # First the servers: a request in flight then fails at once, so no finally-block waits on it.
    stop_managed_servers(SIGNAL_LOCK_WAIT_S)
    raise KeyboardInterrupt
