"""Epoch batches (length-grouped or plain shuffled) and collation with dynamic or max-length padding."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from tkre.pretrain.encoding import EncodedExample
from tkre.pretrain.masking import apply_mask, draw_mask
from tkre.pretrain.spans import PAD_CLASS, Span, sample_irrelevant_spans


def epoch_batches(
    lengths: Sequence[int],
    batch_size: int,
    generator: torch.Generator,
    length_grouped: bool = True,
    group_batches: int = 8,
) -> list[list[int]]:
    """Indices of each batch of one epoch, in the order they run.

    Length-grouped: shuffle, cut into chunks of ``group_batches`` batches, sort each chunk by
    length (longest first), cut it into batches and shuffle the batch order, so a batch holds
    texts of similar length (little padding) while the epoch order stays random.
    """
    order = torch.randperm(len(lengths), generator=generator).tolist()
    if not length_grouped:
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    chunk = batch_size * group_batches
    batches: list[list[int]] = []
    for start in range(0, len(order), chunk):
        group = sorted(order[start : start + chunk], key=lambda i: -lengths[i])
        batches.extend(group[i : i + batch_size] for i in range(0, len(group), batch_size))
    shuffled = torch.randperm(len(batches), generator=generator).tolist()
    return [batches[i] for i in shuffled]


@dataclass
class Batch:
    """Tensors of one step plus the span bookkeeping SCL needs."""

    input_ids: torch.Tensor  # [B, T] unmasked
    attention_mask: torch.Tensor
    classes: torch.Tensor  # position classes, PAD_CLASS on padding
    masked_ids: torch.Tensor | None  # [B, T] with [MASK] where masked
    labels: torch.Tensor | None  # original id at masked positions, IGNORE_INDEX elsewhere
    relation_index: torch.Tensor  # [B] anchor row of each text
    relation_spans: list[Span | None]
    entity_spans: list[list[Span]]
    irrelevant_spans: list[list[Span]]
    real_tokens: int
    marker_positions: list[tuple[int, int] | None] = field(default_factory=list)
    scl_ids: torch.Tensor | None = None  # [B, T] unmasked but with blanked entity mentions (CP-style); None = input_ids
    blanked_mentions: int = 0

    def to(self, device: str) -> Batch:
        move = lambda t: None if t is None else t.to(device)  # noqa: E731
        return Batch(
            move(self.input_ids), move(self.attention_mask), move(self.classes), move(self.masked_ids),
            move(self.labels), move(self.relation_index), self.relation_spans, self.entity_spans,
            self.irrelevant_spans, self.real_tokens, self.marker_positions, move(self.scl_ids), self.blanked_mentions,
        )


@dataclass(frozen=True)
class CollateSpec:
    """How to turn examples into a batch: padding, masking and irrelevant-span settings."""

    pad_id: int
    mask_id: int
    mask_probs: torch.Tensor | None  # None = no masking (SCL only)
    pad_to: int | None  # None = dynamic padding (longest in batch)
    irrelevant_per_text: int = 0
    irrelevant_max_len: int = 3
    entity_blank_rate: float = 0.0  # SCL input: each mention becomes [MASK]s with this probability


def collate(
    items: Sequence[EncodedExample],
    spec: CollateSpec,
    mask_gen: torch.Generator | None,
    span_gen: torch.Generator | None,
    blank_gen: torch.Generator | None = None,
) -> Batch:
    """Pad, draw masks (one draw per text, so masks do not depend on the padding) and pick spans.

    With ``blank_gen`` and a blank rate, the SCL input (``scl_ids``) has each entity mention
    replaced by [MASK] with that probability (Peng et al. 2020 blank mentions so the contrastive
    objective cannot match relations on entity names alone).
    """
    width = spec.pad_to or max(len(it.input_ids) for it in items)
    ids = torch.full((len(items), width), spec.pad_id, dtype=torch.long)
    classes = torch.full((len(items), width), PAD_CLASS, dtype=torch.long)
    attention = torch.zeros((len(items), width), dtype=torch.long)
    masks = torch.zeros((len(items), width), dtype=torch.bool)
    irrelevant: list[list[Span]] = []
    for row, it in enumerate(items):
        n = len(it.input_ids)
        ids[row, :n] = torch.tensor(it.input_ids)
        classes[row, :n] = torch.tensor(it.classes)
        attention[row, :n] = 1
        if spec.mask_probs is not None and mask_gen is not None:
            masks[row, :n] = draw_mask(it.classes, spec.mask_probs, mask_gen)
        spans = []
        if span_gen is not None and it.relation is not None:
            spans = sample_irrelevant_spans(list(it.classes), spec.irrelevant_per_text, spec.irrelevant_max_len, span_gen)
        irrelevant.append(spans)
    masked_ids = labels = None
    if spec.mask_probs is not None:
        masked_ids, labels = apply_mask(ids, masks, spec.mask_id)
    scl_ids, blanked = _blank_mentions(ids, items, spec, blank_gen)
    return Batch(
        input_ids=ids,
        attention_mask=attention,
        classes=classes,
        masked_ids=masked_ids,
        labels=labels,
        relation_index=torch.tensor([it.relation_index for it in items], dtype=torch.long),
        relation_spans=[it.relation for it in items],
        entity_spans=[[s for s in (it.head, it.tail) if s is not None] for it in items],
        irrelevant_spans=irrelevant,
        real_tokens=int(attention.sum()),
        marker_positions=[it.markers for it in items],
        scl_ids=scl_ids,
        blanked_mentions=blanked,
    )


def _blank_mentions(ids: torch.Tensor, items: Sequence[EncodedExample], spec: CollateSpec,
                    generator: torch.Generator | None) -> tuple[torch.Tensor | None, int]:
    """A copy of ``ids`` with each mention's subwords set to [MASK] with probability ``entity_blank_rate``."""
    if generator is None or spec.entity_blank_rate <= 0:
        return None, 0
    blanked = ids.clone()
    count = 0
    for row, it in enumerate(items):
        for span in (it.head, it.tail):
            if span is not None and float(torch.rand(1, generator=generator)) < spec.entity_blank_rate:
                blanked[row, span[0]:span[1]] = spec.mask_id
                count += 1
    return blanked, count

