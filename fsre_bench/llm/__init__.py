"""The LLM layer shared by ``icl`` and TKRE's knowledge generation.

    config = llm_config_from_args(args)          # or LLMConfig.from_dict(yaml_mapping)
    client = open_llm(config)                    # preflight: one-line LLMError on a bad endpoint
    for result in client.map(ChatRequest.user(p, max_tokens=16) for p in prompts):
        ...                                      # results in input order, cached, bounded in flight
    client.usage_dict(); client.close(); stop_managed_servers()

Only the config module is imported eagerly, so ``--help`` never loads the ``openai`` package.
"""

from __future__ import annotations

import importlib
from typing import Any

from fsre_bench.llm.config import LLMConfig, add_llm_arguments, llm_config_from_args

_LAZY = {
    "ChatRequest": "fsre_bench.llm.client",
    "ChatResult": "fsre_bench.llm.client",
    "Endpoint": "fsre_bench.llm.config",
    "LLMClient": "fsre_bench.llm.client",
    "LLMUsage": "fsre_bench.llm.client",
    "open_llm": "fsre_bench.llm.connect",
    "ResponseCache": "fsre_bench.llm.response_cache",
    "stop_managed_servers": "fsre_bench.llm.managed_server",
    "get_local_server": "fsre_bench.llm.local_server",
    "release_server": "fsre_bench.llm.managed_server",
    "find_smollm2_gguf": "fsre_bench.llm.local_server",
}

__all__ = ["LLMConfig", "add_llm_arguments", "llm_config_from_args", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'fsre_bench.llm' has no attribute {name!r}")
