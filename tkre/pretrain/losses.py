"""MSLM cross-entropy (vocabulary logits at masked positions only), span pooling and SCL InfoNCE."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F

from tkre.pretrain.masking import IGNORE_INDEX

SpanGroup = tuple[int, Sequence[tuple[int, int]]]  # (row in batch, [start, end) spans pooled together)


def mslm_loss(
    hidden: torch.Tensor, labels: torch.Tensor, head: Callable[[torch.Tensor], torch.Tensor], masked_only: bool = True
) -> torch.Tensor:
    """Mean cross-entropy over masked positions (labels != IGNORE_INDEX).

    ``masked_only`` gathers the hidden states of the masked positions first and runs the head
    on those alone ([M, H] -> [M, V]), instead of [B, T, V] logits of which ~80% are discarded.
    """
    selected = labels != IGNORE_INDEX
    if masked_only:
        logits = head(hidden[selected])
        return F.cross_entropy(logits.float(), labels[selected])
    logits = head(hidden)
    return F.cross_entropy(logits.flatten(0, 1).float(), labels.flatten(), ignore_index=IGNORE_INDEX)


def mean_pool_spans(hidden: torch.Tensor, groups: Sequence[SpanGroup]) -> torch.Tensor:
    """Mean hidden state over the positions of each group's spans: [S, H] from [B, T, H]."""
    batch, length, _ = hidden.shape
    weights = torch.zeros(len(groups), batch * length, dtype=hidden.dtype, device=hidden.device)
    for i, (row, spans) in enumerate(groups):
        for start, end in spans:
            weights[i, row * length + start : row * length + end] = 1.0
    weights = weights / weights.sum(dim=1, keepdim=True)
    return weights @ hidden.reshape(batch * length, -1)


def info_nce(positive: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """Per-row InfoNCE: -log(exp(pos) / (exp(pos) + sum exp(neg))); -inf negatives are absent.

    ``positive`` [N] and ``negatives`` [N, K] are already-scaled logits (similarity / tau).
    """
    all_logits = torch.cat([positive.unsqueeze(1), negatives], dim=1)
    return torch.logsumexp(all_logits, dim=1) - positive


def scl_loss(
    positives: torch.Tensor,
    positive_relations: torch.Tensor,
    irrelevant: torch.Tensor,
    irrelevant_valid: torch.Tensor,
    anchors: torch.Tensor,
    negative_anchor_mask: torch.Tensor,
    tau: float,
) -> torch.Tensor:
    """Span-level contrastive loss, one InfoNCE row per positive; returns the per-row losses [N].

    The positive pair is (anchor of the text's relation, positive span). Negative pairs are
    (that anchor, each irrelevant span of the same text) and (the positive span, each other
    relation's anchor flagged in ``negative_anchor_mask``). Every vector is L2-normalised
    first, so similarities are cosines, divided by ``tau``.

    Shapes: positives [N, P]; positive_relations [N]; irrelevant [N, K, P] with
    irrelevant_valid [N, K]; anchors [R, P]; negative_anchor_mask [N, R] (own relation False).
    """
    pos = F.normalize(positives, dim=-1)
    anc = F.normalize(anchors, dim=-1)
    irr = F.normalize(irrelevant, dim=-1)
    own = anc[positive_relations]  # [N, P]
    positive_logit = (own * pos).sum(-1) / tau
    irrelevant_logits = torch.einsum("np,nkp->nk", own, irr) / tau
    irrelevant_logits = irrelevant_logits.masked_fill(~irrelevant_valid, float("-inf"))
    anchor_logits = (pos @ anc.T / tau).masked_fill(~negative_anchor_mask, float("-inf"))
    return info_nce(positive_logit, torch.cat([irrelevant_logits, anchor_logits], dim=1))
