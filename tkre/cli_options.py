"""CLI hooks `run` (and `ablate`) look up: the --knowledge / --tkre-* flags and the method options they set."""

from __future__ import annotations

import argparse
from typing import Any

# flag dest -> (type, help); dest "tkre_<field>" maps onto TKRESettings.<field>
_BUDGET_FLAGS: dict[str, tuple[type, str]] = {
    "tkre_explanations_per_relation": (int, "EDKG explanations per training relation (default 6)"),
    "tkre_synthetic_per_relation": (int, "SCDG synthetic examples kept per relation (default 8)"),
    "tkre_synthetic_rounds": (int, "SCDG requests per relation at most (default 3)"),
    "tkre_max_relations": (int, "knowledge for the first N training relations only (tiny budgets)"),
    "tkre_stage1_epochs": (int, "stage-1 MSLM epochs (default 2)"),
    "tkre_stage2_epochs": (int, "stage-2 SCL+MSLM epochs (default 2)"),
    "tkre_pretrain_max_steps": (int, "cap on optimiser steps per pre-training stage"),
    "tkre_finetune_epochs": (int, "K-shot classifier epochs (default 10)"),
    "tkre_finetune_max_steps": (int, "cap on K-shot classifier optimiser steps"),
}


def add_tkre_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the TKRE flag group (knowledge source and CPU budgets)."""
    group = parser.add_argument_group("tkre (knowledge-guided pre-training)")
    group.add_argument("--knowledge", default=None, metavar="llm|schema|import:DIR",
                       help="llm: EDKG/SCDG through the --llm endpoint (default); "
                            "schema: the declared offline variant (templates, entity substitution); "
                            "import:DIR: explanations.json / synthetic.jsonl made elsewhere (the reference release's formats)")
    for dest, (kind, text) in _BUDGET_FLAGS.items():
        group.add_argument("--" + dest.replace("_", "-"), dest=dest, type=kind, default=None, metavar="N", help=text)
    group.add_argument("--tkre-fuse-description", dest="tkre_fuse_description", action="store_true", default=None,
                       help="episodic: fuse prototypes with the relation name/description view")


def tkre_options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Method options for the flags that were given (YAML values stand for the rest)."""
    names = ("knowledge", *_BUDGET_FLAGS, "tkre_fuse_description")
    return {name: getattr(args, name) for name in names if getattr(args, name, None) is not None}
