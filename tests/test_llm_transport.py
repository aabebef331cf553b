"""The one call to an OpenAI-compatible endpoint (a real loopback server here): a reply, or one clean error line."""

from __future__ import annotations

import asyncio

import pytest

from fsre_bench.llm.config import Endpoint, LLMConfig
from fsre_bench.llm.transport import ERROR_TEXT_LIMIT, chat_completion, clean_error, make_async_client
from tests.support.llm_servers import FaultPlan, FaultServer

MESSAGES = [{"role": "user", "content": "Which relation? 1) founded by 2) born in"}]


def _ask(server: FaultServer, api_key: str = "sk-test-key", timeout_s: float = 10.0):
    endpoint = Endpoint(base_url=server.base_url, model="fault-test-model", api_key=api_key, identity="test")
    config = LLMConfig(mode="remote", base_url=server.base_url, timeout_s=timeout_s, max_retries=0)

    async def call():
        client = make_async_client(endpoint, config)
        try:
            return await chat_completion(client, endpoint, MESSAGES, {"temperature": 0.0, "max_tokens": None})
        finally:
            await client.close()

    return asyncio.run(call())


def test_a_reply_carries_its_text_finish_reason_and_tokens() -> None:
    with FaultServer() as server:
        reply, error = _ask(server)
    assert error is None and reply.text.strip() and reply.finish_reason is not None
    assert reply.prompt_tokens is None or reply.prompt_tokens >= 0


@pytest.mark.parametrize(("plan", "fragment"), [
    (FaultPlan(fail_rate=1.0), ""),
    (FaultPlan(empty_rate=1.0), "empty reply"),
    (FaultPlan(require_key="other-key"), ""),
])
def test_a_failed_or_empty_reply_is_an_error_line_never_a_reply(plan, fragment) -> None:
    with FaultServer(plan) as server:
        reply, error = _ask(server)
    assert reply is None and error and "\n" not in error and fragment in error
    assert "sk-test-key" not in error


def test_a_dead_endpoint_is_a_connection_error_line() -> None:
    server = FaultServer().start()
    server.stop()
    reply, error = _ask(server, timeout_s=2.0)
    assert reply is None and error.startswith("connection error: ")


def test_error_text_is_one_bounded_line_without_the_key() -> None:
    assert clean_error("bad key sk-secret-1234\n  at   line 2", "sk-secret-1234") == "bad key *** at line 2"
    assert clean_error("x" * 1000, None) == "x" * ERROR_TEXT_LIMIT
    assert clean_error("key abc here", "abc") == "key abc here"  # too short to blank safely
