"""Chat requests to one OpenAI-compatible endpoint: cached, bounded in flight, failures recorded.

``LLMClient.map`` takes any iterable of requests and yields results in input order. It answers
cache hits at once, keeps at most ``window`` requests submitted (so a million queries never
become a million coroutines), and sends at most ``concurrency`` at a time from a private event
loop thread. Retries with backoff on 429/5xx/timeouts are the ``openai`` client's own; a request
that still fails becomes a result with ``ok=False`` and the error, never an exception.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fsre_bench.cache import content_hash
from fsre_bench.errors import LLMServerDied
from fsre_bench.llm.config import Endpoint, LLMConfig, redact_url
from fsre_bench.llm.pricing import estimate_cost_usd, price_for
from fsre_bench.llm.response_cache import CachedReply, ResponseCache, request_key

Message = Mapping[str, str]
# Each shutdown wait (cancel, HTTP client close, loop join): the loop never blocks (the cache writes on
# its own thread) and a server we started is released first, so these are ceilings, rarely reached.
CLOSE_WAIT_S = 2.0


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion to make; ``sample_index`` makes a temperature > 0 request cacheable."""

    messages: tuple[Message, ...]
    max_tokens: int | None = None
    temperature: float | None = None  # None = the config's temperature
    sample_index: int | None = None
    stop: tuple[str, ...] | None = None

    @classmethod
    def user(cls, prompt: str, **kwargs: Any) -> ChatRequest:
        """A request with one user message."""
        return cls(messages=({"role": "user", "content": prompt},), **kwargs)

    @property
    def prompt_hash(self) -> str:
        """Hash of the messages alone (what a per-query log names the prompt by)."""
        return content_hash("prompt", [dict(m) for m in self.messages], length=16)


@dataclass
class ChatResult:
    """The outcome of one request: the reply text, or the error that stopped it."""

    key: str
    text: str | None
    ok: bool
    cached: bool = False
    error: str | None = None
    latency_s: float = 0.0
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    finish_reason: str | None = None


@dataclass
class LLMUsage:
    """What a run spent: calls made, cache hits, failures, tokens paid for, time with calls in flight."""

    calls: int = 0
    cache_hits: int = 0
    failures: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0
    wall_s: float = 0.0


class _LoopThread:
    """An asyncio loop in a daemon thread; the sync API submits coroutines to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fsre-llm-loop", daemon=True)
        self.thread.start()

    def submit(self, coro: Any) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self) -> None:
        """Cancel what is still running (an abandoned ``map``), then stop and close the loop."""
        with contextlib.suppress(Exception):
            self.submit(_cancel_other_tasks()).result(timeout=CLOSE_WAIT_S)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=CLOSE_WAIT_S)
        if not self.thread.is_alive():
            self.loop.close()


async def _cancel_other_tasks() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class LLMClient:
    """Cached, concurrent chat completions against one endpoint (see the module docstring)."""

    def __init__(
        self,
        endpoint: Endpoint,
        config: LLMConfig,
        cache: ResponseCache | None = None,
        on_close: Callable[[], None] | None = None,
        server_died: Callable[[], str | None] | None = None,
    ) -> None:
        self.endpoint = endpoint
        self._on_close = on_close
        self._server_died = server_died  # for a server we started: None while it runs, else why it ended
        self.config = config
        self._owns_cache = cache is None
        self.cache = cache if cache is not None else (ResponseCache(config.cache_path) if config.cache else None)
        self.concurrency = config.effective_concurrency
        self.usage = LLMUsage()
        self._price = None if endpoint.local else price_for(endpoint.model, config.price_per_mtok)
        self._lock = threading.Lock()
        self._loop: _LoopThread | None = None
        self._client: Any = None
        self._semaphore: asyncio.Semaphore | None = None
        self._inflight: dict[str, asyncio.Future[ChatResult]] = {}
        self._active = 0
        self._active_since = 0.0
        self._closed = False

    # --- public API -------------------------------------------------------------------------

    def complete(self, request: ChatRequest) -> ChatResult:
        """One request, synchronously."""
        return next(self.map([request]))

    def map(self, requests: Iterable[ChatRequest], window: int | None = None) -> Iterator[ChatResult]:
        """Results in input order; at most ``window`` (default 4 x concurrency) requests outstanding."""
        window = max(1, window or 4 * self.concurrency)
        pending: collections.deque[concurrent.futures.Future[ChatResult]] = collections.deque()
        try:
            for request in requests:
                pending.append(self._submit(request))
                while len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()

    def key_for(self, request: ChatRequest) -> str:
        """The cache key of a request (endpoint identity, model, sampling, messages, sample index)."""
        return request_key(
            self.endpoint.identity, self.endpoint.model, [dict(m) for m in request.messages],
            self._sampling(request), request.sample_index,
        )

    def is_cacheable(self, request: ChatRequest) -> bool:
        """Only deterministic requests: temperature 0, or an explicit sample index."""
        return self.cache is not None and (self._temperature(request) == 0.0 or request.sample_index is not None)

    def usage_dict(self) -> dict[str, Any]:
        """Usage for a result file: counts, tokens, wall time, estimated cost, model and base URL."""
        with self._lock:
            usage = dict(self.usage.__dict__)
        usage["wall_s"] = round(usage["wall_s"] + self._open_interval(), 3)
        usage["est_cost_usd"] = (
            0.0 if self.endpoint.local
            else estimate_cost_usd(usage["prompt_tokens"], usage["completion_tokens"], self._price)
        )
        usage["model"] = self.endpoint.model
        usage["base_url"] = redact_url(self.endpoint.base_url)
        # "local llama.cpp" or "local vllm": the server kind leads the endpoint's identity
        usage["endpoint"] = f"local {self.endpoint.identity.split(':')[0]}" if self.endpoint.local else "remote"
        return usage

    def close(self) -> None:
        """Stop the loop thread and close the HTTP client and the cache connection (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self._on_close is not None:
            # The server first: a request it is still answering then fails at once instead of being waited on.
            self._on_close()
        if self._loop is not None:
            if self._client is not None:
                # Best effort: the process may be shutting down.
                with contextlib.suppress(Exception):
                    self._loop.submit(_cancel_other_tasks()).result(timeout=CLOSE_WAIT_S)
                    self._loop.submit(self._client.close()).result(timeout=CLOSE_WAIT_S)
            self._loop.stop()
        if self.cache is not None and self._owns_cache:
            self.cache.close()

    # --- internals --------------------------------------------------------------------------

    def _temperature(self, request: ChatRequest) -> float:
        return float(self.config.temperature if request.temperature is None else request.temperature)

    def _max_tokens(self, request: ChatRequest) -> int | None:
        limits = [m for m in (request.max_tokens, self.config.max_tokens) if m is not None]
        return min(limits) if limits else None

    def _sampling(self, request: ChatRequest) -> dict[str, Any]:
        return {
            "temperature": self._temperature(request),
            "max_tokens": self._max_tokens(request),
            "top_p": self.config.top_p,
            "stop": list(request.stop) if request.stop else None,
        }

    def _submit(self, request: ChatRequest) -> concurrent.futures.Future[ChatResult]:
        if self._closed:
            raise RuntimeError("LLMClient is closed")
        key = self.key_for(request)
        cacheable = self.is_cacheable(request)
        if cacheable:
            hit = self.cache.get(key)  # type: ignore[union-attr]
            if hit is not None:
                done: concurrent.futures.Future[ChatResult] = concurrent.futures.Future()
                done.set_result(self._from_cache(key, hit))
                return done
        if self._loop is None:
            self._loop = _LoopThread()
        return self._loop.submit(self._send_once(request, key, cacheable))

    def _from_cache(self, key: str, hit: CachedReply) -> ChatResult:
        with self._lock:
            self.usage.cache_hits += 1
            self.usage.cached_prompt_tokens += hit.prompt_tokens or 0
            self.usage.cached_completion_tokens += hit.completion_tokens or 0
        return ChatResult(key, hit.text, True, cached=True, prompt_tokens=hit.prompt_tokens,
                          completion_tokens=hit.completion_tokens, finish_reason=hit.finish_reason)

    async def _send_once(self, request: ChatRequest, key: str, cacheable: bool) -> ChatResult:
        """Send, unless an identical deterministic request is already in flight (then share it)."""
        if cacheable and key in self._inflight:
            shared = await asyncio.shield(self._inflight[key])
            with self._lock:
                self.usage.cache_hits += 1
            return ChatResult(**{**shared.__dict__, "cached": True, "latency_s": 0.0})
        future: asyncio.Future[ChatResult] = asyncio.get_running_loop().create_future()
        if cacheable:
            self._inflight[key] = future
        try:
            result = await self._send(request, key, cacheable)
            future.set_result(result)
            return result
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # mark retrieved: waiters re-raise it, nobody else needs to
            raise
        finally:
            self._inflight.pop(key, None)

    async def _send(self, request: ChatRequest, key: str, cacheable: bool) -> ChatResult:
        from fsre_bench.llm.transport import chat_completion, make_async_client

        if self._semaphore is None:
            self._semaphore = asyncio.Semaphore(self.concurrency)
            self._client = make_async_client(self.endpoint, self.config)
        async with self._semaphore:
            self._begin_call()
            t0 = time.monotonic()
            try:
                reply, error = await chat_completion(
                    self._client, self.endpoint, [dict(m) for m in request.messages], self._sampling(request)
                )
            finally:
                latency = time.monotonic() - t0
                self._end_call()
        if reply is None:
            with self._lock:
                self.usage.failures += 1
            death = self._server_died() if self._server_died is not None else None
            if death:
                # Never turn a dead server into thousands of failed queries; cached replies stay.
                raise LLMServerDied(f"{death}; replies received so far are cached, rerun to resume")
            return ChatResult(key, None, False, error=error, latency_s=latency)
        self._count_tokens(reply)
        if cacheable:
            # Written the moment it arrives (a run killed later keeps what it paid for), off the loop:
            # a write waiting on another process's lock must not stall every other request and the shutdown.
            written = self.cache.put_in_background(key, self.endpoint.model, reply)  # type: ignore[union-attr]
            await asyncio.shield(asyncio.wrap_future(written))  # a cancelled request still keeps its reply
        return ChatResult(key, reply.text, True, latency_s=latency, prompt_tokens=reply.prompt_tokens,
                          completion_tokens=reply.completion_tokens, finish_reason=reply.finish_reason)

    def _count_tokens(self, reply: CachedReply) -> None:
        with self._lock:
            self.usage.prompt_tokens += reply.prompt_tokens or 0
            self.usage.completion_tokens += reply.completion_tokens or 0

    def _begin_call(self) -> None:
        with self._lock:
            self.usage.calls += 1
            if self._active == 0:
                self._active_since = time.monotonic()
            self._active += 1

    def _end_call(self) -> None:
        with self._lock:
            self._active -= 1
            if self._active == 0:
                self.usage.wall_s += time.monotonic() - self._active_since

    def _open_interval(self) -> float:
        with self._lock:
            return time.monotonic() - self._active_since if self._active else 0.0
