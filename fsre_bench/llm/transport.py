"""The only module that touches the ``openai`` package: client construction, one call, error text."""

from __future__ import annotations

from typing import Any

import openai

from fsre_bench.llm.config import Endpoint, LLMConfig
from fsre_bench.llm.response_cache import CachedReply

ERROR_TEXT_LIMIT = 300


def make_async_client(endpoint: Endpoint, config: LLMConfig) -> openai.AsyncOpenAI:
    """An AsyncOpenAI client whose own retry loop handles 429/5xx/timeouts with backoff."""
    return openai.AsyncOpenAI(
        base_url=endpoint.base_url,
        api_key=endpoint.api_key,
        timeout=config.timeout_s,
        max_retries=config.max_retries,
    )


def make_sync_client(base_url: str, api_key: str, timeout_s: float, max_retries: int = 1) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries)


async def chat_completion(
    client: openai.AsyncOpenAI, endpoint: Endpoint, messages: list[dict[str, Any]], sampling: dict[str, Any]
) -> tuple[CachedReply | None, str | None]:
    """(reply, None) on success; (None, error text) when the request failed or the reply was empty."""
    kwargs = {k: v for k, v in sampling.items() if v is not None}
    try:
        response = await client.chat.completions.create(model=endpoint.model, messages=messages, **kwargs)
    except openai.APIStatusError as exc:
        return None, clean_error(exc.message, endpoint.api_key)
    except openai.APITimeoutError:
        return None, f"timeout after {client.timeout} s and {client.max_retries} retries"
    except openai.APIConnectionError as exc:
        return None, clean_error(f"connection error: {exc.__cause__ or exc}", endpoint.api_key)
    except Exception as exc:  # a garbled body or an SDK validation error: record it, keep the run going
        return None, clean_error(f"{type(exc).__name__}: {exc}", endpoint.api_key)
    return _reply_from_response(response, endpoint.api_key)


def _reply_from_response(response: Any, api_key: str) -> tuple[CachedReply | None, str | None]:
    choices = getattr(response, "choices", None)
    if not choices:
        return None, "reply has no choices"
    message = getattr(choices[0], "message", None)
    text = getattr(message, "content", None)
    if not isinstance(text, str) or not text.strip():
        # An empty answer is treated as a failed request: not cached, so a rerun asks again.
        return None, "empty reply"
    usage = getattr(response, "usage", None)
    return CachedReply(
        text=text,
        finish_reason=getattr(choices[0], "finish_reason", None),
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
    ), None


def clean_error(text: str, api_key: str | None) -> str:
    """One line, bounded, with the API key (if any) blanked out."""
    line = " ".join(str(text).split())
    if api_key and len(api_key) >= 4:
        line = line.replace(api_key, "***")
    return line[:ERROR_TEXT_LIMIT]
