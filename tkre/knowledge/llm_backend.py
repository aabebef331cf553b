"""How knowledge generation reaches the LLM layer: identity for artifact keys, and a client session.

The identity names the endpoint without credentials or port (the local server's port changes
every run; its GGUF does not), the model id and the sampling settings, so two models never
share an artifact and a re-run on a new port still finds its artifact.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fsre_bench.cache import file_sha256
from fsre_bench.errors import LLMError
from fsre_bench.llm.config import LOCAL_MODEL_ALIAS, LLMConfig, redact_url

_gguf_ids: dict[tuple[str, int, float], str] = {}


def gguf_identity(path: Path) -> str:
    """``llama.cpp:<file name>:<sha256 prefix>``, the same identity the LLM layer's cache keys use."""
    if not path.is_file():
        raise LLMError(f"--llm-gguf {path}: no such file; pass the path of a .gguf model")
    stat = path.stat()
    memo = (str(path), stat.st_size, stat.st_mtime)
    if memo not in _gguf_ids:
        _gguf_ids[memo] = file_sha256(path)[:16]
    return f"llama.cpp:{path.name}:{_gguf_ids[memo]}"


def resolve_llm_config(config: LLMConfig) -> LLMConfig:
    """The config with its model id filled in (a remote endpoint's only model is asked for once)."""
    if config.mode == "local" or config.model is not None:
        return config
    from fsre_bench.llm.connect import resolve_remote_endpoint

    return config.replace(model=resolve_remote_endpoint(config).model)


def llm_identity(config: LLMConfig) -> dict[str, Any]:
    """Endpoint (no credentials, no port), model id and sampling settings of a resolved config."""
    if config.mode == "local":
        from fsre_bench.llm.local_server import find_smollm2_gguf

        gguf = Path(config.gguf).expanduser().resolve() if config.gguf else find_smollm2_gguf()
        endpoint = gguf_identity(gguf)
        model = config.model or LOCAL_MODEL_ALIAS
    else:
        endpoint = redact_url((config.effective_base_url or "").rstrip("/")) or ""
        model = config.model
    return {
        "endpoint": endpoint, "model": model, "temperature": float(config.temperature),
        "top_p": config.top_p, "max_tokens": config.max_tokens,
    }


def llm_source(identity: dict[str, Any]) -> str:
    """The artifact's ``source``: ``llm:<model id>``."""
    return f"llm:{identity['model']}"


@contextlib.contextmanager
def llm_session(config: LLMConfig) -> Iterator[Any]:
    """An open ``LLMClient`` (preflight done), closed on exit; its ``usage_dict()`` has the costs."""
    from fsre_bench.llm.connect import open_llm

    client = open_llm(config)
    try:
        yield client
    finally:
        client.close()
