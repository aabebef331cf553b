"""Real OpenAI-compatible HTTP servers on loopback for fault injection (tests and benchmarks).

``FaultServer`` answers GET /v1/models and POST /v1/chat/completions from a thread of this
process. Faults (HTTP 500, hangs past the client timeout, empty replies, garbage text, a body
that is not JSON) are chosen from a hash of the request (and optionally the attempt number), so
the same run sees the same faults. Counters record every request, per prompt.
"""

from __future__ import annotations

import collections
import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[list[dict[str, Any]]], str]


@dataclass
class FaultPlan:
    """What the server does; rates are shares of requests, chosen by hash (reproducible)."""

    sleep_s: float = 0.0  # every request waits this long (a latency-bound endpoint)
    fail_rate: float = 0.0  # HTTP 500
    hang_rate: float = 0.0  # sleep hang_s before answering (past the client's timeout)
    hang_s: float = 3.0
    empty_rate: float = 0.0  # 200 with empty content
    garbage_rate: float = 0.0  # 200 with text that answers nothing
    broken_json_rate: float = 0.0  # 200 with a body that is not JSON
    per_attempt: bool = False  # True: redraw per attempt (retries may succeed); False: per prompt
    seed: int = 0
    model: str = "fault-test-model"
    require_key: str | None = None  # when set, requests without "Bearer <key>" get HTTP 401

    def fault_for(self, prompt_key: str, attempt: int) -> str:
        salt = f"{self.seed}:{prompt_key}:{attempt if self.per_attempt else 0}"
        u = int(hashlib.sha256(salt.encode()).hexdigest()[:12], 16) / float(16**12)
        for name, rate in (("fail", self.fail_rate), ("hang", self.hang_rate), ("empty", self.empty_rate),
                           ("garbage", self.garbage_rate), ("broken_json", self.broken_json_rate)):
            if u < rate:
                return name
            u -= rate
        return "ok"


def default_answer(messages: list[dict[str, Any]]) -> str:
    return "A"


@dataclass
class Counters:
    """Every request the server saw: totals, per prompt, and per outcome."""

    total: int = 0
    by_prompt: collections.Counter[str] = field(default_factory=collections.Counter)
    outcomes: collections.Counter[str] = field(default_factory=collections.Counter)
    ok_prompts: set[str] = field(default_factory=set)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def enter(self) -> None:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.lock:
            self.in_flight -= 1

    def record(self, prompt_key: str, outcome: str) -> int:
        with self.lock:
            self.total += 1
            self.by_prompt[prompt_key] += 1
            self.outcomes[outcome] += 1
            if outcome == "ok":
                self.ok_prompts.add(prompt_key)
            return self.by_prompt[prompt_key]

    def reset(self) -> None:
        with self.lock:
            self.total = 0
            self.by_prompt.clear()
            self.outcomes.clear()
            self.ok_prompts.clear()
            self.max_in_flight = 0


def prompt_key_of(messages: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest()[:16]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        if not self._authorised():
            return
        if self.path.rstrip("/").endswith("/models"):
            self._send_json(200, {"object": "list", "data": [{"id": self.server.plan.model, "object": "model",
                                                              "owned_by": "fsre-tests"}]})
        else:
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if not self._authorised():
            return
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send_json(404, {"error": {"message": f"no route {self.path}"}})
            return
        if body.get("model") != self.server.plan.model:
            self._send_json(404, {"error": {"message": f"model {body.get('model')!r} not found"}})
            return
        self.server.counters.enter()
        try:
            self._answer(body)
        finally:
            self.server.counters.leave()

    def _answer(self, body: dict[str, Any]) -> None:
        plan, messages = self.server.plan, body.get("messages", [])
        key = prompt_key_of(messages)
        attempt = self.server.counters.by_prompt[key]  # attempts seen before this one
        fault = plan.fault_for(key, attempt)
        self.server.counters.record(key, fault)
        if plan.sleep_s:
            time.sleep(plan.sleep_s)
        if fault == "fail":
            self._send_json(500, {"error": {"message": "injected failure", "type": "server_error"}})
        elif fault == "hang":
            time.sleep(plan.hang_s)
            self._send_json(500, {"error": {"message": "answered too late"}})
        elif fault == "broken_json":
            self._send_raw(200, b"{this is not json", "application/json")
        else:
            text = {"empty": "", "garbage": "%%% ~~ lorem ipsum ~~ %%%"}.get(fault)
            self._send_json(200, _completion(plan.model, self.server.answer(messages) if text is None else text, messages))

    def _authorised(self) -> bool:
        expected = self.server.plan.require_key
        if expected is None or self.headers.get("Authorization") == f"Bearer {expected}":
            return True
        self._send_json(401, {"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})
        return False

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send_raw(status, json.dumps(payload).encode(), "application/json")

    def _send_raw(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout); that is the point of a hang


def _completion(model: str, text: str, messages: list[dict[str, Any]]) -> dict[str, Any]:
    prompt_tokens = sum(len(str(m.get("content", "")).split()) for m in messages)
    completion_tokens = len(text.split())
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    plan: FaultPlan
    counters: Counters
    answer: Answer

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):  # clients hanging up is expected here
            super().handle_error(request, client_address)


class FaultServer:
    """A loopback OpenAI-compatible server; use as a context manager, read ``counters``."""

    def __init__(self, plan: FaultPlan | None = None, answer: Answer = default_answer) -> None:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.plan = plan or FaultPlan()
        self._httpd.counters = Counters()
        self._httpd.answer = answer
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def plan(self) -> FaultPlan:
        return self._httpd.plan

    @plan.setter
    def plan(self, plan: FaultPlan) -> None:
        self._httpd.plan = plan

    @property
    def counters(self) -> Counters:
        return self._httpd.counters

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> FaultServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> FaultServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever_main() -> None:
    """``python tests/support/llm_servers.py SLEEP_S``: a standalone server (prints its base URL)."""
    import sys

    server = FaultServer(FaultPlan(sleep_s=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0)).start()
    print(server.base_url, flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    serve_forever_main()
