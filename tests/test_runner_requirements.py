"""Every chosen method's requirements checked before the first unit: one line naming all the unmet ones."""

from __future__ import annotations

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.methods.registry import method_specs
from fsre_bench.methods.resolved import resolve_method
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.requirements import check_requirements

REMOTE = {"mode": "remote", "base_url": "https://llm.example.com/v1", "api_key_env": "FSRE_TEST_UNSET_KEY"}


def _run(methods: list[str], **fields) -> tuple[RunConfig, list]:
    config = RunConfig(methods=methods, dataset="semeval2010/test", device="cpu", **fields)
    specs = method_specs()
    resolved = [resolve_method(specs[name], method_options=config.method_options, recorded_options={},
                               protocol=config.protocol, has_nota=False, device="cpu") for name in methods]
    return config, resolved


def test_methods_with_nothing_to_require_pass() -> None:
    check_requirements(*_run(["random", "proto"]))
    check_requirements(*_run(["icl"]))  # the local server: its start is not tried here


def test_a_remote_endpoint_without_its_key_is_named_for_the_llm_methods(monkeypatch) -> None:
    monkeypatch.delenv("FSRE_TEST_UNSET_KEY", raising=False)
    with pytest.raises(ConfigError, match=r"^icl needs an LLM: no API key for https://llm\.example\.com/v1: "
                                          r"environment variable FSRE_TEST_UNSET_KEY is not set"):
        check_requirements(*_run(["random", "icl"], method_options={"llm": REMOTE}))
    monkeypatch.setenv("FSRE_TEST_UNSET_KEY", "sk-test")
    check_requirements(*_run(["random", "icl"], method_options={"llm": REMOTE}))
    monkeypatch.delenv("FSRE_TEST_UNSET_KEY")
    check_requirements(*_run(["random", "proto"], method_options={"llm": REMOTE}))  # no method asks for the LLM


def test_every_unmet_requirement_is_in_the_one_line(monkeypatch) -> None:
    monkeypatch.delenv("FSRE_TEST_UNSET_KEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        check_requirements(*_run(["proto-ft", "icl"], method_options={"llm": REMOTE}))
    message = str(caught.value)
    assert message.startswith("proto-ft needs training relations and semeval2010/test has no default")
    assert "; icl needs an LLM: no API key" in message and "\n" not in message
    check_requirements(*_run(["proto-ft"], train="fewrel/val_wiki"))  # --train given: met
