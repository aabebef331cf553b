"""One cache entry holding an exported encoder: written atomically, marked complete last, verified on reuse.

Both the pre-trained encoders (pipeline.py) and the trained MLM head (mlm_head.py) are such entries:
``<entry>/encoder/`` (HF files, plus whatever ``extra`` adds), ``<entry>/info.json`` and
``<entry>/complete.json`` with the sha256 of every exported file, written after everything else.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch

from fsre_bench.atomic import atomic_write_json
from fsre_bench.cache import cache_lock, file_sha256
from tkre.pretrain.model import quiet_transformers

COMPLETE_MARKER = "complete.json"
ENCODER_SUBDIR = "encoder"


def export_encoder(encoder: torch.nn.Module, tokenizer: Any, entry: Path,
                   extra: Callable[[Path], None] | None = None) -> Path:
    """Save encoder + tokenizer (and ``extra(folder)``'s files) to a temp folder, then rename it into place."""
    tmp = entry / f".{ENCODER_SUBDIR}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    with quiet_transformers():
        encoder.save_pretrained(str(tmp))
        tokenizer.save_pretrained(str(tmp))
    if not (tmp / "model.safetensors").exists():
        raise RuntimeError(f"pretrain: {tmp} has no model.safetensors after save_pretrained")
    if extra is not None:
        extra(tmp)
    final = entry / ENCODER_SUBDIR
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    return final


def write_marker(entry: Path, key: str, fmt: int) -> None:
    """The "complete" marker, written last: sha256 of every exported file."""
    folder = entry / ENCODER_SUBDIR
    files = {p.name: file_sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}
    atomic_write_json(entry / COMPLETE_MARKER, {"cache_key": key, "format": fmt, "files": files})


def verified_info(entry: Path) -> dict[str, Any] | None:
    """info.json of a complete entry whose files match their recorded sha256; None when absent.

    A corrupt entry (marker present, a file missing or changed) raises CorruptEntry after clearing it, so the
    caller reports it and rebuilds.
    """
    marker = entry / COMPLETE_MARKER
    if not marker.exists():
        return None
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))["files"]
        info = json.loads((entry / "info.json").read_text(encoding="utf-8"))
        folder = entry / ENCODER_SUBDIR
        ok = all(file_sha256(folder / name) == sha for name, sha in recorded.items())
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        marker.unlink(missing_ok=True)
        shutil.rmtree(entry / ENCODER_SUBDIR, ignore_errors=True)
        raise CorruptEntry(f"cache entry {entry} fails its sha256 check; rebuilding it")
    return info


class CorruptEntry(Exception):
    """A complete-marked entry whose files do not match (cleared already; the caller rebuilds)."""


@contextlib.contextmanager
def entry_lock(entry: Path) -> Iterator[None]:
    """An exclusive lock on the entry so two processes never train the same key at once."""
    with cache_lock(entry / ".lock"):
        yield
