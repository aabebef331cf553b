"""Frozen text encoders with entity-aware representations and content-addressed caches."""

from fsre_bench.encoders.encoder import REPRESENTATIONS, Encoder, EncoderStats, load_encoder
from fsre_bench.encoders.entity_markers import MarkedWords, marked_words, plain_words, subword_spans
from fsre_bench.encoders.identity import DEFAULT_ENCODER, encoder_identity, resolve_encoder_path

__all__ = [
    "DEFAULT_ENCODER",
    "REPRESENTATIONS",
    "Encoder",
    "EncoderStats",
    "MarkedWords",
    "encoder_identity",
    "load_encoder",
    "marked_words",
    "plain_words",
    "resolve_encoder_path",
    "subword_spans",
]
