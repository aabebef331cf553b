"""MSLM masking: a per-token probability by position class, redrawn every epoch."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from tkre.pretrain.spans import ENTITY, ORDINARY, RELATION, SPECIAL

IGNORE_INDEX = -100


def class_probabilities(ordinary: float, entity: float, relation: float) -> torch.Tensor:
    """Masking probability indexed by position class (SPECIAL, ORDINARY, ENTITY, RELATION)."""
    probs = torch.zeros(4, dtype=torch.float64)
    probs[ORDINARY], probs[ENTITY], probs[RELATION] = ordinary, entity, relation
    probs[SPECIAL] = 0.0
    return probs


def draw_mask(classes: Sequence[int], probs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Bernoulli mask for one text (positions with class p masked with probability probs[p]).

    At least one position is always masked: when the draw masks nothing, the position whose
    uniform draw came closest to its threshold (smallest u / p) is masked, which favours the
    high-probability classes; if every probability is 0, the non-special position with the
    smallest draw is. Special tokens are never masked.
    """
    cls = torch.tensor(classes, dtype=torch.long)
    p = probs[cls]
    u = torch.rand(len(classes), generator=generator, dtype=torch.float64)
    mask = u < p
    if not bool(mask.any()):
        if bool((p > 0).any()):
            ratio = torch.where(p > 0, u / p.clamp_min(1e-12), torch.full_like(u, float("inf")))
        else:
            ratio = torch.where(cls != SPECIAL, u, torch.full_like(u, float("inf")))
        mask[int(torch.argmin(ratio))] = True
    return mask


def apply_mask(input_ids: torch.Tensor, mask: torch.Tensor, mask_token_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Masked positions become [MASK] (always: no 80/10/10); labels keep the original id there only."""
    labels = torch.where(mask, input_ids, torch.full_like(input_ids, IGNORE_INDEX))
    masked = torch.where(mask, torch.full_like(input_ids, mask_token_id), input_ids)
    return masked, labels
