"""Entity-marked sentences as tensors: marker positions that point at the markers, and their representation."""

from __future__ import annotations

import pytest
import torch

from fsre_bench.encoders.entity_markers import HEAD_MARK, TAIL_MARK
from fsre_bench.training.marked_batches import encode_marked, marker_representation
from fsre_bench.training.saved_encoder import load_trainable_encoder, quiet_transformers
from fsre_bench.types import RelationInstance

SHORT = RelationInstance(id="t#0", tokens=("Ada", "met", "Bob", "."), head=((0,),), tail=((2,),), label="met")
TYPED = RelationInstance(id="t#1", tokens=("Bob", "founded", "Acme", "Corp", "in", "1990", "."), head=((2, 3),),
                         tail=((0,),), label="founded_by", head_type="ORGANIZATION", tail_type="PERSON")


@pytest.fixture(scope="module")
def minilm():
    with quiet_transformers():
        return load_trainable_encoder(None)


def test_positions_point_at_the_opening_markers_with_dynamic_padding(minilm) -> None:
    _, tokenizer = minilm
    batch = encode_marked(tokenizer, [SHORT, TYPED])
    ids = batch.inputs["input_ids"]
    assert set(batch.inputs) >= {"input_ids", "attention_mask"}
    assert ids.shape[1] == int(batch.inputs["attention_mask"].sum(dim=1).max())  # padded to the longest only
    head_mark, tail_mark = tokenizer.convert_tokens_to_ids([HEAD_MARK, TAIL_MARK])
    rows = torch.arange(2)
    assert ids[rows, batch.head_positions].tolist() == [head_mark, head_mark]
    assert ids[rows, batch.tail_positions].tolist() == [tail_mark, tail_mark]
    assert batch.tail_positions[1] < batch.head_positions[1]  # the tail comes first in the typed sentence
    moved = batch.to("cpu")
    assert torch.equal(moved.head_positions, batch.head_positions)


def test_a_marker_cut_off_by_truncation_falls_back_to_cls(minilm) -> None:
    _, tokenizer = minilm
    long = RelationInstance(id="t#2", tokens=("a",) * 40 + ("Ada", "met", "Bob"), head=((40,),), tail=((42,),),
                            label="met")
    batch = encode_marked(tokenizer, [long], max_length=16)
    assert batch.inputs["input_ids"].shape[1] == 16
    assert (batch.head_positions.tolist(), batch.tail_positions.tolist()) == ([0], [0])


def test_the_representation_is_the_two_marker_states_side_by_side(minilm) -> None:
    encoder, tokenizer = minilm
    batch = encode_marked(tokenizer, [SHORT, TYPED])
    with torch.inference_mode():
        represented = marker_representation(encoder, batch)
        hidden = encoder(**batch.inputs).last_hidden_state
    size = encoder.config.hidden_size
    assert represented.shape == (2, 2 * size)
    for row in range(2):
        assert torch.allclose(represented[row, :size], hidden[row, batch.head_positions[row]])
        assert torch.allclose(represented[row, size:], hidden[row, batch.tail_positions[row]])
