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
            ids = batch.scl_ids if batch.scl_ids is not None else batch.input_ids
            hidden = model.hidden_states(ids, batch.attention_mask)
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

    The defaults are the paper's: the positive is the relation span, the negatives the irrelevant spans
    of the same text, everything through ``projection``; with one irrelevant span that is the release's
    two-way softmax (cl_model.py, TKREModel.forward). The other terms are options of earlier rounds.
    Positives of a text: its relation span (pooled, through ``projection``), its entity spans when
    ``entity_positive``, and the start-marker pair inference reads (through ``pair_projection``)
    when ``marker_positive`` and the text is marked. A text with no positive (no relation span,
    no markers) is skipped (``scl_skipped_no_relation_span``); it still contributes its MSLM term
    and its relation still counts as "in the batch" for the anchor negatives. A text with
    neither an irrelevant span nor a negative anchor has nothing to contrast and is skipped too.
    """
    assert model.anchors is not None and model.projection is not None
    n_rel = model.anchors.shape[0]
    in_batch = set(batch.relation_index.tolist())
    counts = {"scl_skipped_no_relation_span": 0, "scl_skipped_no_negatives": 0, "scl_marker_rows": 0}
    groups: list[SpanGroup] = []
    pairs: list[tuple[int, tuple[int, int]]] = []  # (row in batch, marker positions)
    rows: list[tuple[str, int, int, list[int], list[int]]] = []  # (kind, index, relation, irrelevant, negatives)
    for b, rel_span in enumerate(batch.relation_spans):
        markers = batch.marker_positions[b] if config.marker_positive and batch.marker_positions else None
        if rel_span is None and markers is None:
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
        span_positives = [[rel_span]] if rel_span is not None else []
        if config.entity_positive and batch.entity_spans[b]:
            span_positives.append(batch.entity_spans[b])
        for spans in span_positives:
            rows.append(("span", len(groups), own, irr_ids, negatives))
            groups.append((b, spans))
        if markers is not None:
            rows.append(("pair", len(pairs), own, irr_ids, negatives))
            pairs.append((b, markers))
            counts["scl_marker_rows"] += 1
    if not rows:
        return None, 0, counts
    vectors = _projected(model, hidden, groups, pairs)
    device = hidden.device
    positive_index = [index if kind == "span" else len(groups) + index for kind, index, *_ in rows]
    width = max(1, max(len(row[3]) for row in rows))
    irr_index = torch.zeros(len(rows), width, dtype=torch.long)
    irr_valid = torch.zeros(len(rows), width, dtype=torch.bool)
    anchor_mask = torch.zeros(len(rows), n_rel, dtype=torch.bool)
    for i, (_, _, _, ids, negs) in enumerate(rows):
        irr_index[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        irr_valid[i, : len(ids)] = True
        anchor_mask[i, negs] = True
    losses = scl_loss(
        positives=vectors[torch.tensor(positive_index, device=device)],
        positive_relations=torch.tensor([row[2] for row in rows], device=device),
        irrelevant=vectors[irr_index.to(device)],
        irrelevant_valid=irr_valid.to(device),
        anchors=model.anchor_vectors(),
        negative_anchor_mask=anchor_mask.to(device),
        tau=config.tau,
    )
    return losses.mean(), len(rows), counts


def _projected(model: PretrainModel, hidden: torch.Tensor, groups: list[SpanGroup],
               pairs: list[tuple[int, tuple[int, int]]]) -> torch.Tensor:
    """Projected pooled spans (rows 0..len(groups)-1) followed by projected start-marker pairs."""
    assert model.projection is not None
    parts = []
    if groups:
        parts.append(model.projection(mean_pool_spans(hidden, groups)))
    if pairs:
        assert model.pair_projection is not None
        rows = torch.tensor([b for b, _ in pairs], device=hidden.device)
        heads = torch.tensor([m[0] for _, m in pairs], device=hidden.device)
        tails = torch.tensor([m[1] for _, m in pairs], device=hidden.device)
        parts.append(model.pair_projection(torch.cat([hidden[rows, heads], hidden[rows, tails]], dim=-1)))
    return torch.cat(parts, dim=0)


def _negative_anchors(own: int, in_batch: set[int], n_rel: int, config: PretrainConfig) -> list[int]:
    if not config.in_batch_negatives:
        return []
    pool = range(n_rel) if config.all_anchor_negatives else sorted(in_batch)
    return [r for r in pool if r != own]
