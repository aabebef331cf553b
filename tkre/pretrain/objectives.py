"""The per-batch objective of a stage: MSLM, SCL, or both (the SCL bookkeeping lives here)."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from tkre.pretrain.batching import Batch
from tkre.pretrain.config import PretrainConfig
from tkre.pretrain.losses import SpanGroup, mean_pool_spans, mslm_loss, scl_loss
from tkre.pretrain.model import PretrainModel


@dataclass
class StepLosses:
    """Loss tensors of one batch plus what SCL used or skipped."""

    total: torch.Tensor | None = None
    mslm: torch.Tensor | None = None
    scl: torch.Tensor | None = None
    masked_tokens: int = 0
    scl_rows: int = 0
    counts: dict[str, int] = field(default_factory=dict)


def batch_objective(
    model: PretrainModel, batch: Batch, config: PretrainConfig, use_mslm: bool, use_scl: bool, stage2: bool
) -> StepLosses:
    """Forward pass(es) and the weighted loss; stage 1 is plain MSLM, stage 2 weights by the lambdas."""
    out = StepLosses()
    terms: list[torch.Tensor] = []
    masked_hidden = None
    if use_mslm:
        assert batch.masked_ids is not None and batch.labels is not None
        masked_hidden = model.hidden_states(batch.masked_ids, batch.attention_mask)
        out.mslm = mslm_loss(masked_hidden, batch.labels, model.mlm_head, masked_only=True)
        out.masked_tokens = int((batch.labels != -100).sum())
        terms.append(out.mslm * (config.lambda_mslm if stage2 else 1.0))
    if use_scl:
        if config.scl_shared_forward and masked_hidden is not None:
            hidden = masked_hidden
        else:
            hidden = model.hidden_states(batch.input_ids, batch.attention_mask)
        out.scl, out.scl_rows, out.counts = scl_term(model, hidden, batch, config)
        if out.scl is not None:
            terms.append(out.scl * config.lambda_scl)
    if terms:
        out.total = torch.stack(terms).sum()
    return out


def scl_term(
    model: PretrainModel, hidden: torch.Tensor, batch: Batch, config: PretrainConfig
) -> tuple[torch.Tensor | None, int, dict[str, int]]:
    """Mean SCL over the batch's usable rows, the row count and the skip counts.

    A text with no relation span (entities touching, overlapping or missing) has no positive
    and is skipped (``scl_skipped_no_relation_span``); it still contributes its MSLM term and
    its relation still counts as "in the batch" for the anchor negatives. A text with neither
    an irrelevant span nor a negative anchor has nothing to contrast and is skipped too.
    """
    assert model.anchors is not None and model.projection is not None
    n_rel = model.anchors.shape[0]
    in_batch = set(batch.relation_index.tolist())
    counts = {"scl_skipped_no_relation_span": 0, "scl_skipped_no_negatives": 0}
    groups: list[SpanGroup] = []
    positive_rows: list[int] = []
    row_relation: list[int] = []
    row_irrelevant: list[list[int]] = []
    row_neg_anchors: list[list[int]] = []
    for b, rel_span in enumerate(batch.relation_spans):
        if rel_span is None:
            counts["scl_skipped_no_relation_span"] += 1
            continue
        own = int(batch.relation_index[b])
        negatives = _negative_anchors(own, in_batch, n_rel, config)
        irrelevant = batch.irrelevant_spans[b]
        if not irrelevant and not negatives:
            counts["scl_skipped_no_negatives"] += 1
            continue
        irr_ids = list(range(len(groups), len(groups) + len(irrelevant)))
        groups.extend((b, [span]) for span in irrelevant)
        positives = [[rel_span]]
        if config.entity_positive and batch.entity_spans[b]:
            positives.append(batch.entity_spans[b])
        for spans in positives:
            positive_rows.append(len(groups))
            groups.append((b, spans))
            row_relation.append(own)
            row_irrelevant.append(irr_ids)
            row_neg_anchors.append(negatives)
    if not positive_rows:
        return None, 0, counts
    projected = model.projection(mean_pool_spans(hidden, groups))
    width = max(1, max(len(ids) for ids in row_irrelevant))
    irr_index = torch.zeros(len(positive_rows), width, dtype=torch.long)
    irr_valid = torch.zeros(len(positive_rows), width, dtype=torch.bool)
    anchor_mask = torch.zeros(len(positive_rows), n_rel, dtype=torch.bool)
    for row, (ids, negs) in enumerate(zip(row_irrelevant, row_neg_anchors, strict=True)):
        irr_index[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        irr_valid[row, : len(ids)] = True
        anchor_mask[row, negs] = True
    device = hidden.device
    losses = scl_loss(
        positives=projected[torch.tensor(positive_rows, device=device)],
        positive_relations=torch.tensor(row_relation, device=device),
        irrelevant=projected[irr_index.to(device)],
        irrelevant_valid=irr_valid.to(device),
        anchors=model.anchors,
        negative_anchor_mask=anchor_mask.to(device),
        tau=config.tau,
    )
    return losses.mean(), len(positive_rows), counts


def _negative_anchors(own: int, in_batch: set[int], n_rel: int, config: PretrainConfig) -> list[int]:
    if not config.in_batch_negatives:
        return []
    pool = range(n_rel) if config.all_anchor_negatives else sorted(in_batch)
    return [r for r in pool if r != own]
