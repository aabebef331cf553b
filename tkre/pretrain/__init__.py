"""TKRE two-stage knowledge-guided pre-training: stage 1 MSLM, stage 2 SCL + MSLM.

Entry point: ``pretrain_encoder(examples, relations, config)`` -> ``PretrainResult`` whose
``encoder_dir`` loads with ``AutoModel.from_pretrained`` + ``AutoTokenizer.from_pretrained``.
Runs are cached by content hash under ``$FSRE_BENCH_CACHE/tkre/pretrain/<key>/`` and resume
from the last completed epoch after an interruption.
"""

from __future__ import annotations

from tkre.pretrain.checkpoint import CorruptCheckpointWarning
from tkre.pretrain.config import PretrainConfig, config_from_dict
from tkre.pretrain.pipeline import PretrainResult, pretrain_cache_key, pretrain_encoder

__all__ = [
    "CorruptCheckpointWarning",
    "PretrainConfig",
    "PretrainResult",
    "config_from_dict",
    "pretrain_cache_key",
    "pretrain_encoder",
]
