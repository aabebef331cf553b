"""Trained encoders in the cache: used only when complete and intact, a damaged one removed, the move atomic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cache import cache_dir, file_sha256
from fsre_bench.numerics import cache_namespace
from fsre_bench.training.saved_encoder import (
    adopt_encoder_dir,
    quiet_transformers,
    saved_encoder_dir,
    saved_encoder_info,
)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    return cache_dir(*cache_namespace("toy-encoders"))


def _staging(root: Path, weights: bytes = b"weights") -> Path:
    staging = root / ".k1.staging"
    staging.mkdir(parents=True)
    (staging / "model.safetensors").write_bytes(weights)
    (staging / "config.json").write_text("{}")
    return staging


def test_an_adopted_folder_is_found_with_what_it_recorded(root: Path) -> None:
    assert saved_encoder_dir("toy-encoders", "k1") is None
    final = adopt_encoder_dir("toy-encoders", "k1", _staging(root), {"steps": 12})
    assert final == root / "k1" and not (root / ".k1.staging").exists()
    assert saved_encoder_dir("toy-encoders", "k1") == final
    info = saved_encoder_info(final)
    assert info == {"key": "k1", "weights_sha256": file_sha256(final / "model.safetensors"), "steps": 12}
    assert saved_encoder_dir("toy-encoders", "k2") is None  # another key


def test_damaged_weights_or_a_marker_for_another_key_are_removed_not_loaded(root: Path) -> None:
    final = adopt_encoder_dir("toy-encoders", "k1", _staging(root), {})
    (final / "model.safetensors").write_bytes(b"truncat")
    assert saved_encoder_dir("toy-encoders", "k1") is None and not final.exists()
    final = adopt_encoder_dir("toy-encoders", "k1", _staging(root), {})
    marker = json.loads((final / "COMPLETE.json").read_text())
    (final / "COMPLETE.json").write_text(json.dumps({**marker, "key": "k0"}))
    assert saved_encoder_dir("toy-encoders", "k1") is None and not final.exists()
    final = adopt_encoder_dir("toy-encoders", "k1", _staging(root), {})
    (final / "COMPLETE.json").write_text("{not json")
    assert saved_encoder_dir("toy-encoders", "k1") is None and not final.exists()
    assert saved_encoder_info(final) == {}  # nothing recorded (or an entry from before markers held info)


def test_adopting_again_replaces_the_old_folder(root: Path) -> None:
    adopt_encoder_dir("toy-encoders", "k1", _staging(root, b"old"), {"run": 1})
    final = adopt_encoder_dir("toy-encoders", "k1", _staging(root, b"new"), {"run": 2})
    assert (final / "model.safetensors").read_bytes() == b"new" and saved_encoder_info(final)["run"] == 2


def test_quiet_transformers_restores_the_verbosity() -> None:
    from transformers.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    hf_logging.set_verbosity_info()
    try:
        with quiet_transformers():
            assert hf_logging.get_verbosity() == hf_logging.ERROR and not hf_logging.is_progress_bar_enabled()
        assert hf_logging.get_verbosity() == hf_logging.INFO
    finally:
        hf_logging.set_verbosity(before)
