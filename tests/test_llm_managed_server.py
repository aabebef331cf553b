"""Server children on loopback (a tiny real HTTP server here): ready only when serving, shared, stopped, explained."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from fsre_bench.errors import LLMError
from fsre_bench.llm.managed_server import (
    acquire_server,
    free_loopback_port,
    last_log_line,
    release_server,
    running_managed_servers,
    start_server,
)

# Serves /v1/models (the alias) and a one-choice /v1/chat/completions on 127.0.0.1:PORT.
SERVER = """
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
alias = sys.argv[2]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def _send(self, payload):
        data = json.dumps(payload).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data))); self.end_headers(); self.wfile.write(data)
    def do_GET(self): self._send({"data": [{"id": alias}]})
    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        self._send({"choices": [{"message": {"role": "assistant", "content": "A"}, "finish_reason": "length"}]})
print("serving", flush=True)
HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def _start(alias: str = "tiny", script: str = SERVER, timeout_s: float = 20.0):
    port = free_loopback_port()
    return start_server("test", [sys.executable, "-c", script, str(port), alias], port, alias, f"test:{alias}",
                        timeout_s, hint="install the test server")


def test_a_started_server_answers_is_shared_by_key_and_stops_with_its_last_user() -> None:
    server = acquire_server(("test", "tiny"), _start)
    try:
        assert server.alive() and server.base_url == f"http://127.0.0.1:{server.port}/v1" and server.start_s > 0
        assert acquire_server(("test", "tiny"), lambda: pytest.fail("started twice")) is server
        assert server in running_managed_servers() and server.users == 2
        release_server(server)
        assert server.alive()  # one user left
    finally:
        release_server(server)
    assert not server.alive() and server.stopped and server not in running_managed_servers()
    assert not server.log_path.exists()  # a clean stop removes its log
    server.stop()  # idempotent


def test_a_server_that_exits_during_start_up_is_one_line_with_its_last_log_line_and_hint() -> None:
    with pytest.raises(LLMError, match=r"the local test server exited during start-up \(no such model: tiny\); "
                                       r"install the test server"):
        _start(script="import sys; print('no such model: ' + sys.argv[2]); sys.exit(3)")


def test_a_server_serving_another_model_is_not_ready() -> None:
    with pytest.raises(LLMError, match=r"did not answer http://127\.0\.0\.1:\d+/v1/models within 2 s \(last log line: "
                                       r"(serving|no output)\)$"):
        port = free_loopback_port()
        start_server("test", [sys.executable, "-c", SERVER, str(port), "other"], port, "tiny", "test:tiny", 2.0,
                     hint="")


def test_the_last_log_line_is_bounded_and_says_when_there_is_none(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("loading\n\n" + "x" * 400 + "\n  \n")
    assert last_log_line(log) == "x" * 300
    log.write_text("")
    assert last_log_line(log) == "no output" and last_log_line(tmp_path / "gone.log") == "no log"
