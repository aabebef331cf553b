"""Preflight: a bad endpoint fails with one line (exit code 2) before any episode work."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.errors import LLMError
from fsre_bench.llm import LLMConfig, open_llm
from fsre_bench.llm.local_server import free_loopback_port
from tests.support.llm_servers import FaultPlan, FaultServer


def remote(tmp_path: Path, **settings: object) -> LLMConfig:
    return LLMConfig.from_dict({"mode": "remote", "cache_path": str(tmp_path / "llm.sqlite"), **settings})


def fails_with(config: LLMConfig, *fragments: str) -> str:
    with pytest.raises(LLMError) as info:
        open_llm(config)
    message = str(info.value)
    assert info.value.exit_code == 2
    assert "\n" not in message and "Traceback" not in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_missing_key_for_a_remote_endpoint_fails_before_any_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    # No server listens at this address; the key check must fail first, without connecting.
    fails_with(
        remote(tmp_path, base_url="https://llm.invalid/v1"), "OPENAI_API_KEY is not set", "--llm-api-key-env"
    )
    fails_with(remote(tmp_path), "https://api.openai.com/v1", "OPENAI_API_KEY")


def test_an_explicitly_named_key_variable_must_exist_even_on_loopback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    with FaultServer() as srv:
        fails_with(remote(tmp_path, base_url=srv.base_url, api_key_env="MY_LLM_KEY"), "MY_LLM_KEY is not set")
        assert srv.counters.total == 0


def test_unreachable_base_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    url = f"http://127.0.0.1:{free_loopback_port()}/v1"  # nothing listens there
    fails_with(remote(tmp_path, base_url=url), "cannot reach the LLM endpoint", url, "--llm-base-url")


def test_unknown_model_lists_what_is_served(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(model="served-model")) as srv:
        fails_with(
            remote(tmp_path, base_url=srv.base_url, model="gpt-99"), "'gpt-99' is not served", "served-model"
        )


def test_the_only_served_model_is_picked_when_none_is_named(tmp_path: Path) -> None:
    with FaultServer(FaultPlan(model="only-one")) as srv:
        client = open_llm(remote(tmp_path, base_url=srv.base_url))
        assert client.endpoint.model == "only-one"
        client.close()


def test_a_rejected_key_is_named_by_its_variable_never_its_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-wrong-key-0000")
    with FaultServer(FaultPlan(require_key="sk-right-key-1111")) as srv:
        message = fails_with(
            remote(tmp_path, base_url=srv.base_url), "rejected the API key", "$OPENAI_API_KEY", "401"
        )
        assert "sk-wrong" not in message and "sk-right" not in message
