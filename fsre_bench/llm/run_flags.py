"""CLI hooks the `run` command looks up: the --llm-* flag group and the method options it yields."""

from __future__ import annotations

import argparse
from typing import Any

from fsre_bench.llm.config import add_llm_arguments, llm_config_from_args, llm_flags_given

__all__ = ["add_llm_arguments", "llm_options_from_args"]


def llm_options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """``{"llm": LLMConfig}`` when any --llm* flag was given; ``{}`` otherwise, so a YAML ``llm:`` block stands.

    Flags build a whole config from the defaults; to layer flags over a YAML block instead, call
    ``llm_config_from_args(args, base=LLMConfig.from_dict(yaml_block))``.
    """
    if not llm_flags_given(args):
        return {}
    return {"llm": llm_config_from_args(args)}
