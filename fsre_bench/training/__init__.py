"""Fine-tuning utilities shared by trained methods (proto-ft, TKRE's K-shot classifier)."""

from fsre_bench.training.marked_batches import MarkedBatch, encode_marked, marker_representation
from fsre_bench.training.optim import adamw_with_warmup
from fsre_bench.training.saved_encoder import (
    load_trainable_encoder,
    save_encoder,
    saved_encoder_dir,
    saved_encoder_info,
    saved_encoder_lock,
)

__all__ = [
    "MarkedBatch",
    "adamw_with_warmup",
    "encode_marked",
    "load_trainable_encoder",
    "marker_representation",
    "save_encoder",
    "saved_encoder_dir",
    "saved_encoder_info",
    "saved_encoder_lock",
]
