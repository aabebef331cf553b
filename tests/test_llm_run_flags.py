"""The --llm* flags become the ``llm`` method option only when one is given, so a YAML ``llm:`` block stands."""

from __future__ import annotations

import argparse

from fsre_bench.llm.config import LLMConfig
from fsre_bench.llm.run_flags import add_llm_arguments, llm_options_from_args


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_llm_arguments(parser)
    return parser.parse_args(list(argv))


def test_no_llm_flag_sets_nothing_and_any_flag_builds_a_whole_config() -> None:
    assert llm_options_from_args(_parse()) == {}
    (config,) = llm_options_from_args(_parse("--llm-temperature", "0.7")).values()
    assert isinstance(config, LLMConfig) and config.temperature == 0.7
    assert config.mode == LLMConfig().mode and config.max_retries == LLMConfig().max_retries  # the rest: defaults
