"""Preflight: turn an LLMConfig into a ready client, or fail with one line before any episode work."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

import openai

from fsre_bench.errors import LLMError
from fsre_bench.llm.client import LLMClient
from fsre_bench.llm.config import LOCAL_MODEL_ALIAS, Endpoint, LLMConfig, read_api_key, redact_url
from fsre_bench.llm.local_server import get_local_server
from fsre_bench.llm.managed_server import ManagedServer, release_server
from fsre_bench.llm.response_cache import ResponseCache
from fsre_bench.llm.transport import clean_error, make_sync_client

PREFLIGHT_TIMEOUT_S = 15.0
MODELS_SHOWN = 8


def open_llm(config: LLMConfig, cache: ResponseCache | None = None) -> LLMClient:
    """A client for ``config``: starts the local server or checks key, reachability and model id."""
    if config.mode == "local":
        server = get_local_server(
            config.gguf, model_alias=config.model or LOCAL_MODEL_ALIAS,
            n_threads=config.local_threads, n_ctx=config.local_ctx,
        )
        return _client_of(server, config, cache)
    if config.mode == "vllm":
        from fsre_bench.llm.vllm_server import check_vllm_usable, get_vllm_server

        check_vllm_usable()
        return _client_of(get_vllm_server(config.model or ""), config, cache)
    return LLMClient(resolve_remote_endpoint(config), config, cache)


def _client_of(server: ManagedServer, config: LLMConfig, cache: ResponseCache | None) -> LLMClient:
    """A client of a server this process started: it holds a reference, and knows when the server died."""
    endpoint = Endpoint(server.base_url, server.model_alias, "local", server.endpoint_id, local=True)
    return LLMClient(endpoint, config, cache, on_close=lambda: release_server(server), server_died=server.death_reason)


def resolve_remote_endpoint(config: LLMConfig) -> Endpoint:
    """Check the key, that the endpoint answers, and that it serves the model (or pick its only one)."""
    base_url = (config.effective_base_url or "").rstrip("/")
    shown = redact_url(base_url)
    missing = missing_api_key(config)
    if missing:
        raise LLMError(missing)
    api_key = read_api_key(config) or "no-key"  # loopback servers (llama.cpp, vLLM, Ollama) usually run without one
    served = list_served_models(base_url, api_key, config)
    model = pick_model(config.model, served, shown)
    return Endpoint(base_url, model, api_key, identity=shown or base_url)


def missing_api_key(config: LLMConfig) -> str | None:
    """One line when the endpoint needs a key its variable does not hold (knowable before any connection)."""
    base_url = (config.effective_base_url or "").rstrip("/")
    if read_api_key(config) is not None:
        return None
    if config.api_key_env_explicit or not is_loopback_url(base_url):
        return (f"no API key for {redact_url(base_url)}: environment variable {config.api_key_env} is not set; "
                f"export it, or name another variable with --llm-api-key-env")
    return None


def list_served_models(base_url: str, api_key: str, config: LLMConfig) -> list[str] | None:
    """Model ids from GET /models; None when the endpoint has no such route (HTTP 404)."""
    shown = redact_url(base_url)
    client = make_sync_client(base_url, api_key, min(config.timeout_s, PREFLIGHT_TIMEOUT_S), max_retries=1)
    try:
        return [model.id for model in client.models.list()]
    except openai.AuthenticationError as exc:
        raise LLMError(
            f"{shown} rejected the API key in ${config.api_key_env} (HTTP {exc.status_code}); check the key"
        ) from None
    except openai.NotFoundError:
        return None
    except openai.APIStatusError as exc:
        detail = clean_error(exc.message, api_key)
        raise LLMError(f"{shown} answered GET /models with HTTP {exc.status_code} ({detail})") from None
    except openai.APIConnectionError as exc:
        reason = clean_error(str(exc.__cause__ or exc), api_key)
        raise LLMError(
            f"cannot reach the LLM endpoint {shown} ({reason}); check --llm-base-url and that the server runs"
        ) from None
    finally:
        client.close()


def pick_model(requested: str | None, served: list[str] | None, shown: str | None) -> str:
    """The requested id if served; the only served id when none was requested."""
    if served is None:
        if requested is None:
            raise LLMError(f"{shown} does not list its models; name one with --llm-model")
        return requested
    listing = ", ".join(served[:MODELS_SHOWN]) + (f" (+{len(served) - MODELS_SHOWN} more)" if len(served) > MODELS_SHOWN else "")
    if requested is None:
        if len(served) == 1:
            return served[0]
        raise LLMError(f"{shown} serves {len(served)} models ({listing or 'none'}); pick one with --llm-model")
    if requested not in served:
        raise LLMError(f"model {requested!r} is not served by {shown}; it serves: {listing or 'nothing'}")
    return requested


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
