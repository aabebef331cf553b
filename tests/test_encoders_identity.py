"""An encoder's identity follows its weights: the embedded MiniLM by name, a folder by its weights' sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fsre_bench.encoders.identity import (
    DEFAULT_ENCODER,
    default_encoder_path,
    encoder_identity,
    resolve_encoder_path,
)
from fsre_bench.errors import ConfigError


def test_the_default_names_resolve_to_the_embedded_minilm(tmp_path: Path) -> None:
    embedded = default_encoder_path()
    assert Path(embedded, "config.json").is_file()
    for name in (None, "", DEFAULT_ENCODER, f"sentence-transformers/{DEFAULT_ENCODER}"):
        assert resolve_encoder_path(name) == embedded
    assert resolve_encoder_path(str(tmp_path)) == str(tmp_path.resolve())
    with pytest.raises(ConfigError, match=r"encoder 'nobody/no-such-encoder' is neither a local directory nor in the "
                                          r"Hugging Face cache"):
        resolve_encoder_path("nobody/no-such-encoder")


def test_the_identity_is_the_folder_and_a_prefix_of_the_weights_sha256(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "my-encoder"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights v1")
    first = encoder_identity(str(folder))
    assert first == f"my-encoder@{hashlib.sha256(b'weights v1').hexdigest()[:16]}"
    assert encoder_identity(str(folder)) == first  # memoised
    (folder / "model.safetensors").write_bytes(b"weights v2, longer")
    assert encoder_identity(str(folder)) == f"my-encoder@{hashlib.sha256(b'weights v2, longer').hexdigest()[:16]}"
    nested = tmp_path / "run" / "model"
    nested.mkdir(parents=True)
    (nested / "pytorch_model.bin").write_bytes(b"bin")
    assert encoder_identity(str(nested)).startswith("run@")  # a folder called model is named by its parent
    empty = tmp_path / "no-weights"
    empty.mkdir()
    assert encoder_identity(str(empty)).startswith("no-weights@")
