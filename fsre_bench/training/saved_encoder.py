"""Trained encoders saved as safetensors under the cache, keyed by a content hash; complete or absent.

A directory is used only when its ``COMPLETE`` marker names the key and the weights' sha256
matches, so an interrupted save or a damaged file is rebuilt instead of loaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fsre_bench.cache import cache_dir, cache_lock, file_sha256
from fsre_bench.numerics import cache_namespace

_MARKER = "COMPLETE.json"
_WEIGHTS = "model.safetensors"


def saved_encoder_dir(namespace: str, key: str) -> Path | None:
    """The saved encoder for ``key`` if complete and intact, else None (a damaged one is removed)."""
    path = cache_dir(*cache_namespace(namespace)) / key
    marker = path / _MARKER
    if not marker.exists():
        return None
    try:
        info = json.loads(marker.read_text())
        if info.get("key") == key and file_sha256(path / _WEIGHTS) == info.get("weights_sha256"):
            return path
    except (OSError, json.JSONDecodeError):
        pass
    shutil.rmtree(path, ignore_errors=True)
    return None


@contextlib.contextmanager
def saved_encoder_lock(namespace: str, key: str) -> Iterator[None]:
    """Hold from the reuse check until the save: a second process training the same key then waits and
    reuses the first one's weights instead of training them again or writing into the same checkpoint
    folder (two TKRE units of one fit, tkre and tkre-desc, once crashed so on the grid)."""
    with cache_lock(cache_dir(*cache_namespace(namespace)) / f".{key}.lock"):
        yield


def saved_encoder_info(path: Path) -> dict[str, Any]:
    """What ``save_encoder`` recorded beside the weights (an entry from before this was kept: {})."""
    try:
        return json.loads((Path(path) / _MARKER).read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def save_encoder(namespace: str, key: str, encoder: Any, tokenizer: Any, info: dict[str, Any]) -> Path:
    """Write to a temporary sibling, verify, then rename into place (atomic on one filesystem)."""
    root = cache_dir(*cache_namespace(namespace))
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=root))
    encoder.save_pretrained(staging, safe_serialization=True)
    tokenizer.save_pretrained(staging)
    return adopt_encoder_dir(namespace, key, staging, info)


def adopt_encoder_dir(namespace: str, key: str, staging: Path, info: dict[str, Any]) -> Path:
    """Mark a saved (save_pretrained) folder in the namespace's cache dir complete and rename it to ``key``."""
    root = cache_dir(*cache_namespace(namespace))
    marker = {"key": key, "weights_sha256": file_sha256(staging / _WEIGHTS), **info}
    (staging / _MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True, default=str))
    final = root / key
    shutil.rmtree(final, ignore_errors=True)
    os.replace(staging, final)
    return final


def load_trainable_encoder(name_or_path: str | None, device: str = "cpu") -> tuple[Any, Any]:
    """(AutoModel, AutoTokenizer) of an encoder, offline; default the embedded MiniLM."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import transformers
    from transformers import AutoModel, AutoTokenizer

    from fsre_bench.encoders.identity import resolve_encoder_path

    transformers.logging.set_verbosity_error()
    path = resolve_encoder_path(name_or_path)
    return AutoModel.from_pretrained(path).to(device), AutoTokenizer.from_pretrained(path)


@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' load report and progress bars for the load, then restore them."""
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
