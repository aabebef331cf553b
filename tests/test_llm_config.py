"""LLMConfig: CLI flags, YAML mappings, validation in one place, and nothing secret in to_dict."""

from __future__ import annotations

import argparse

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.llm import LLMConfig, add_llm_arguments, llm_config_from_args
from fsre_bench.llm.config import LOCAL_DEFAULT_CONCURRENCY, redact_url


def parse(argv: list[str], base: LLMConfig | None = None) -> LLMConfig:
    parser = argparse.ArgumentParser()
    add_llm_arguments(parser)
    return llm_config_from_args(parser.parse_args(argv), base)


def test_defaults_are_the_local_server_with_its_own_concurrency() -> None:
    config = parse([])
    assert config.mode == "local"
    assert config.temperature == 0.0
    assert config.api_key_env == "OPENAI_API_KEY"
    assert config.effective_concurrency == LOCAL_DEFAULT_CONCURRENCY
    assert parse(["--llm", "remote"]).effective_concurrency == 8
    assert parse(["--llm", "remote"]).effective_base_url == "https://api.openai.com/v1"


def test_every_flag_reaches_the_config() -> None:
    config = parse(
        [
            "--llm",
            "remote",
            "--llm-base-url",
            "http://127.0.0.1:9/v1",
            "--llm-model",
            "m",
            "--llm-api-key-env",
            "MY_KEY",
            "--llm-temperature",
            "0.7",
            "--llm-max-tokens",
            "32",
            "--llm-concurrency",
            "3",
            "--llm-timeout",
            "5",
            "--llm-max-retries",
            "0",
        ]
    )
    assert (config.mode, config.base_url, config.model, config.api_key_env) == (
        "remote",
        "http://127.0.0.1:9/v1",
        "m",
        "MY_KEY",
    )
    assert (
        config.temperature,
        config.max_tokens,
        config.concurrency,
        config.timeout_s,
        config.max_retries,
    ) == (0.7, 32, 3, 5.0, 0)
    assert config.api_key_env_explicit


def test_flags_override_a_yaml_base_and_unset_flags_keep_it() -> None:
    base = LLMConfig.from_dict(
        {"mode": "remote", "model": "gpt-4o-mini", "temperature": 0.2, "concurrency": 16}
    )
    config = parse(["--llm-model", "other"], base)
    assert (config.mode, config.model, config.temperature, config.concurrency) == ("remote", "other", 0.2, 16)


@pytest.mark.parametrize(
    ("mapping", "fragment"),
    [
        ({"mode": "cloud"}, "llm.mode"),
        ({"temperature": 3}, "llm.temperature"),
        ({"temperature": "hot"}, "llm.temperature"),
        ({"concurrency": 0}, "llm.concurrency"),
        ({"max_tokens": -1}, "llm.max_tokens"),
        ({"max_retries": -2}, "llm.max_retries"),
        ({"timeout_s": 0}, "llm.timeout_s"),
        ({"base_url": "ftp://x"}, "llm.base_url"),
        ({"api_key_env": "NOT A NAME"}, "llm.api_key_env"),
        ({"mode": "remote", "gguf": "/x.gguf"}, "llm.gguf"),
        ({"price_per_mtok": [1]}, "llm.price_per_mtok"),
        ({"temprature": 0}, "Did you mean 'temperature'"),
    ],
)
def test_bad_values_fail_with_one_line_naming_the_setting(mapping: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        LLMConfig.from_dict(mapping)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_to_dict_round_trips_and_never_holds_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")
    config = LLMConfig.from_dict(
        {"mode": "remote", "base_url": "https://user:sk-secret-value-123@host.example/v1"}
    )
    out = config.to_dict()
    assert "sk-secret-value-123" not in repr(out)
    assert out["base_url"] == "https://host.example/v1"
    assert out["api_key_env"] == "OPENAI_API_KEY"
    again = LLMConfig.from_dict({k: v for k, v in out.items() if k != "base_url"})
    assert again.to_dict() | {"base_url": None} == out | {"base_url": None}


def test_redact_url_keeps_urls_without_credentials() -> None:
    assert redact_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"
    assert redact_url("https://a:b@h:9/v1?x=1") == "https://h:9/v1?x=1"
