"""PretrainConfig: every knob of the two-stage pre-training, validated in one place."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from fsre_bench.errors import ConfigError

# Fields that change how a run is executed or reported but never the weights it produces,
# so they stay out of the cache key (a checkpoint made with 1 thread is reused with 2).
_NOT_IN_CACHE_KEY = frozenset({"num_threads", "keep_checkpoints"})
# Fields stage 1 (and the MLM warm-up before it) never reads: two configs that differ only here train
# bit-identical stage-1 weights (tkre and tkre-no-scl do), so stage 1 is trained once and reused.
_STAGE2_ONLY = frozenset({
    "stage2_scl", "stage2_mslm", "stage2_sources", "stage2_epochs", "tau", "lambda_mslm", "lambda_scl",
    "projection_dim", "irrelevant_spans_per_text", "irrelevant_span_max_len", "anchor_projected",
    "in_batch_negatives", "all_anchor_negatives", "entity_positive", "marker_positive", "entity_blank_rate",
    "scl_shared_forward",
})


@dataclass(frozen=True)
class PretrainConfig:
    """Settings of stage 1 (MSLM) and stage 2 (SCL + MSLM).

    Defaults are CPU-friendly for MiniLM-L6 (22 M parameters) on 2 cores; the paper's values for
    roberta-large on GPU are 5 epochs, batch 16, lr 2e-5, weight decay 0.01, max length 128.
    MiniLM is small and fine-tunes well at a higher lr (5e-5), and with a few hundred texts two
    epochs per stage keep a SemEval K=8 run inside a couple of minutes (see the benchmark).
    """

    # which parts run: tkre = all True; tkre-no-mslm = (False, True, False); tkre-no-scl = (True, False, *)
    stage1_mslm: bool = True
    stage2_scl: bool = True
    stage2_mslm: bool = True
    # which KnowledgeExample.source values each stage trains on (None = all), e.g. stage 1 on
    # ("explanation",) and stage 2 on ("explanation", "synthetic")
    stage1_sources: tuple[str, ...] | None = None
    stage2_sources: tuple[str, ...] | None = None
    stage1_epochs: int = 2
    stage2_epochs: int = 2
    batch_size: int = 16
    lr: float = 5e-5  # encoder (and tied embedding / decoder) learning rate
    # Fresh parameters (a new MLM head's transform and bias, the relation anchors, the projection
    # head) start random; at the encoder's lr they would barely move in a few hundred steps.
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    grad_clip: float = 1.0
    max_length: int = 128
    seed: int = 13
    # per-token masking probabilities (MSLM)
    mask_prob_ordinary: float = 0.2
    mask_prob_entity: float = 0.5
    mask_prob_relation: float = 0.8
    # SCL. The defaults are the paper's (Section 3.3, Eq. 6-7) as the release computes it (codes/traditional_re/
    # cl_model.py, TKREModel.forward): each text's relation anchor against its relation span (the positive) and
    # irrelevant spans of the SAME text (the negatives, the release draws one of 1-3 ordinary tokens), anchor and
    # spans all through ONE projection head, a softmax over them, on the masked MSLM pass. Nothing else: no other
    # relations' anchors, no marker-pair positive, no entity blanking. The release's SCL code hard-codes four TACRED
    # relations (train_tkre_stage2); we follow the paper there and give every training relation an anchor.
    tau: float = 0.1
    lambda_mslm: float = 1.0
    lambda_scl: float = 1.0
    projection_dim: int = 128
    irrelevant_spans_per_text: int = 1
    irrelevant_span_max_len: int = 3
    # Anchors are embeddings of the hidden size passed through the span projection (the release's
    # relation_embeddings -> scl_head); False learns them directly in the projection's output space.
    anchor_projected: bool = True
    # The variant of earlier rounds (a supervised contrastive loss over the source relations), kept as options:
    in_batch_negatives: bool = False  # other relations' anchors (those in the batch) as negatives
    all_anchor_negatives: bool = False  # use every other relation's anchor, not only the batch's
    entity_positive: bool = False  # the entity spans as a second positive (the paper's figure)
    # The representation inference uses (start-marker pair, through its own projection head) as a
    # positive next to the relation span, for texts whose markers survived tokenisation.
    marker_positive: bool = False
    # CP-style (Peng et al. 2020: 0.7): each mention of the SCL input becomes [MASK]s at this rate.
    entity_blank_rate: float = 0.0
    # A fresh MLM head is warmed up for this many steps with the encoder frozen before stage 1
    # (on the stage-1 texts, at head_lr), so MSLM's first gradients into the encoder are not noise.
    mlm_warmup_steps: int = 100
    # SCL on the masked pass of the MSLM term (the paper's one forward pass); False adds a second, unmasked
    # pass (what inference sees) at about twice the stage-2 cost. Without an MSLM term SCL reads an unmasked pass.
    scl_shared_forward: bool = True
    # batching
    length_grouped: bool = True
    length_group_batches: int = 8  # a shuffled chunk of this many batches is sorted by length
    pad_to_max_length: bool = False
    device: str = "cpu"
    precision: str = "auto"  # CUDA: bf16 autocast where supported, else fp16 (fsre_bench/precision.py)
    max_steps: int | None = None  # optimiser steps per stage (budget cap); None = all epochs
    num_threads: int | None = None  # torch threads during the call (restored after); None = leave as is
    keep_checkpoints: bool = False  # keep per-epoch training checkpoints once the entry is complete

    def __post_init__(self) -> None:
        for name in ("stage1_sources", "stage2_sources"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))  # lists from YAML/JSON
        _validate(self)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def cache_fields(self) -> dict[str, Any]:
        """The settings that determine the trained weights (the cache key's share of the config)."""
        return {k: v for k, v in asdict(self).items() if k not in _NOT_IN_CACHE_KEY}

    def stage1_cache_fields(self) -> dict[str, Any]:
        """The settings that determine the weights after stage 1 (the shared stage-1 key's share)."""
        return {k: v for k, v in self.cache_fields().items() if k not in _STAGE2_ONLY}

    @property
    def any_stage(self) -> bool:
        return self.stage1_mslm or self.stage2_scl or self.stage2_mslm

    @property
    def stage2_runs(self) -> bool:
        return self.stage2_scl or self.stage2_mslm


def _validate(config: PretrainConfig) -> None:
    problems: list[str] = []
    for name in ("stage1_epochs", "stage2_epochs"):
        if getattr(config, name) < 0:
            problems.append(f"{name} must be >= 0")
    for name in ("batch_size", "max_length", "projection_dim", "irrelevant_span_max_len", "length_group_batches"):
        if getattr(config, name) < 1:
            problems.append(f"{name} must be >= 1")
    if config.max_length < 8:
        problems.append("max_length must be >= 8")
    if config.precision not in ("auto", "bf16", "fp16", "fp32"):
        problems.append("precision must be auto, bf16, fp16 or fp32")
    if config.mlm_warmup_steps < 0:
        problems.append("mlm_warmup_steps must be >= 0")
    for name in ("mask_prob_ordinary", "mask_prob_entity", "mask_prob_relation", "warmup_ratio", "entity_blank_rate"):
        if not 0.0 <= getattr(config, name) <= 1.0:
            problems.append(f"{name} must be in [0, 1]")
    if config.lr <= 0 or config.head_lr <= 0 or config.tau <= 0:
        problems.append("lr, head_lr and tau must be > 0")
    if config.irrelevant_spans_per_text < 0 or config.weight_decay < 0:
        problems.append("irrelevant_spans_per_text and weight_decay must be >= 0")
    if config.max_steps is not None and config.max_steps < 1:
        problems.append("max_steps must be >= 1 or None")
    if config.num_threads is not None and config.num_threads < 1:
        problems.append("num_threads must be >= 1 or None")
    if not config.any_stage:
        problems.append("at least one of stage1_mslm, stage2_scl, stage2_mslm must be on")
    if problems:
        raise ConfigError(f"PretrainConfig: {'; '.join(problems)}")


def config_from_dict(values: dict[str, Any]) -> PretrainConfig:
    """Build a config from a plain dict (YAML/CLI), naming unknown keys instead of a TypeError."""
    known = {f.name for f in fields(PretrainConfig)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"PretrainConfig: unknown setting(s) {unknown}; known: {sorted(known)}")
    return PretrainConfig(**values)
