"""CLI hooks the `run` command looks up: the --icl-* flags and the method options they set."""

from __future__ import annotations

import argparse
from typing import Any


def add_icl_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the --icl-* flag group."""
    group = parser.add_argument_group("icl (in-context LLM baseline)")
    group.add_argument("--icl-batch-queries", action="store_true", default=None,
                       help="all queries of an episode in one request (default: one request per query)")
    group.add_argument("--icl-max-demos", type=int, default=None, metavar="N",
                       help="show at most N demonstrations per prompt (default: all within the token budget)")
    group.add_argument("--icl-token-budget", type=int, default=None, metavar="TOKENS",
                       help="estimated prompt tokens per request (default 3000; fits the local 4096 context)")


def icl_options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Method options for the flags that were given (YAML values stand for the rest)."""
    names = ("icl_batch_queries", "icl_max_demos", "icl_token_budget")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
