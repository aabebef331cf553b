"""Entity-marked instances as tensors for a trainable encoder, and the start-marker representation.

The same markers and pooling as the frozen ``marker-start`` representation
(fsre_bench/encoders/entity_markers.py), so an encoder trained here and then frozen for prototypes sees
exactly what it was trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from fsre_bench.encoders.entity_markers import marked_words, subword_spans
from fsre_bench.types import RelationInstance


@dataclass
class MarkedBatch:
    inputs: dict[str, torch.Tensor]  # input_ids, attention_mask (+ token_type_ids)
    head_positions: torch.Tensor  # (B,) subword index of each opening head marker
    tail_positions: torch.Tensor  # (B,)

    def to(self, device: str) -> MarkedBatch:
        return MarkedBatch({k: v.to(device) for k, v in self.inputs.items()}, self.head_positions.to(device),
                           self.tail_positions.to(device))


def encode_marked(tokenizer: Any, instances: Sequence[RelationInstance], max_length: int = 128) -> MarkedBatch:
    """Tokenise marked sentences (dynamic padding); a marker cut off by truncation falls back to [CLS]."""
    marked = [marked_words(instance) for instance in instances]
    encoding = tokenizer([list(m.words) for m in marked], is_split_into_words=True, padding=True, truncation=True,
                         max_length=max_length, return_tensors="pt")
    heads, tails = [], []
    for i, m in enumerate(marked):
        spans = subword_spans(encoding.word_ids(i), len(m.words))
        heads.append(spans[m.head_marker][0] if spans[m.head_marker] else 0)
        tails.append(spans[m.tail_marker][0] if spans[m.tail_marker] else 0)
    inputs = {k: v for k, v in encoding.items() if k in ("input_ids", "attention_mask", "token_type_ids")}
    return MarkedBatch(inputs, torch.tensor(heads), torch.tensor(tails))


def marker_representation(encoder: torch.nn.Module, batch: MarkedBatch) -> torch.Tensor:
    """(B, 2H): hidden states at the opening head and tail markers, concatenated."""
    hidden = encoder(**batch.inputs).last_hidden_state
    rows = torch.arange(hidden.shape[0], device=hidden.device)
    return torch.cat([hidden[rows, batch.head_positions], hidden[rows, batch.tail_positions]], dim=-1)
