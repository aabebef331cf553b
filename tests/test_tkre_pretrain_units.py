"""Pins the pieces of tkre.pretrain: spans, masking, losses, encoding, batching, config."""

from __future__ import annotations

import math

import pytest
import torch

from fsre_bench.errors import ConfigError, DataError
from tkre.pretrain import PretrainConfig, config_from_dict
from tkre.pretrain.batching import CollateSpec, collate, epoch_batches
from tkre.pretrain.encoding import encode_examples
from tkre.pretrain.losses import info_nce, mean_pool_spans, scl_loss
from tkre.pretrain.masking import IGNORE_INDEX, apply_mask, class_probabilities, draw_mask
from tkre.pretrain.model import default_base_model
from tkre.pretrain.seeding import generator_for
from tkre.pretrain.spans import (
    ENTITY,
    ORDINARY,
    RELATION,
    SPECIAL,
    ordinary_runs,
    position_classes,
    relation_span,
    sample_irrelevant_spans,
)
from tkre.types import KnowledgeExample

PROBS = class_probabilities(0.2, 0.5, 0.8)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(default_base_model(), local_files_only=True)


# --- spans -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "tail", "expected"),
    [
        ((1, 2), (5, 7), (2, 5)),  # head first
        ((5, 7), (1, 2), (2, 5)),  # tail first: same span
        ((2, 3), (3, 4), None),  # adjacent: empty
        ((2, 5), (3, 4), None),  # nested
        ((1, 2), None, None),  # missing tail
        (None, (1, 2), None),  # missing head
    ],
)
def test_relation_span(head, tail, expected):
    assert relation_span(head, tail) == expected


def test_position_classes_marks_entities_relation_and_specials():
    special = [True] + [False] * 8 + [True]
    classes = position_classes(10, (6, 8), (2, 3), special)
    assert classes == [
        SPECIAL,
        ORDINARY,
        ENTITY,
        RELATION,
        RELATION,
        RELATION,
        ENTITY,
        ENTITY,
        ORDINARY,
        SPECIAL,
    ]
    assert position_classes(5, (1, 2), None, [True, False, False, False, True]) == [
        SPECIAL,
        ENTITY,
        ORDINARY,
        ORDINARY,
        SPECIAL,
    ]


def test_irrelevant_spans_only_cover_ordinary_runs():
    classes = [
        SPECIAL,
        ORDINARY,
        ORDINARY,
        ENTITY,
        RELATION,
        ENTITY,
        ORDINARY,
        ORDINARY,
        ORDINARY,
        ORDINARY,
        SPECIAL,
    ]
    assert ordinary_runs(classes) == [(1, 3), (6, 10)]
    gen = generator_for(0, "spans")
    spans = sample_irrelevant_spans(classes, 200, 3, gen)
    assert len(spans) == 200
    lengths = {end - start for start, end in spans}
    assert lengths == {1, 2, 3}
    for start, end in spans:
        assert all(classes[i] == ORDINARY for i in range(start, end))
    again = sample_irrelevant_spans(classes, 200, 3, generator_for(0, "spans"))
    assert again == spans
    no_ordinary = [SPECIAL, ENTITY, RELATION, ENTITY, SPECIAL]
    assert sample_irrelevant_spans(no_ordinary, 3, 3, gen) == []


# --- masking -----------------------------------------------------------------------------


def test_mask_probabilities_per_class_hold_over_many_draws():
    classes = [SPECIAL] + [ORDINARY] * 30 + [ENTITY] * 20 + [RELATION] * 48 + [SPECIAL]
    cls = torch.tensor(classes)
    gen = generator_for(1, "stats")
    draws = torch.stack([draw_mask(classes, PROBS, gen) for _ in range(600)]).double()
    rate = {c: float(draws[:, cls == c].mean()) for c in (SPECIAL, ORDINARY, ENTITY, RELATION)}
    assert rate[SPECIAL] == 0.0
    assert rate[ORDINARY] == pytest.approx(0.2, abs=0.02)
    assert rate[ENTITY] == pytest.approx(0.5, abs=0.02)
    assert rate[RELATION] == pytest.approx(0.8, abs=0.02)


def test_masks_redrawn_per_epoch_and_reproducible_per_seed():
    classes = [SPECIAL] + [ORDINARY] * 20 + [ENTITY] * 4 + [RELATION] * 6 + [SPECIAL]
    epoch0 = draw_mask(classes, PROBS, generator_for(13, "stage1", 0, "mask"))
    epoch1 = draw_mask(classes, PROBS, generator_for(13, "stage1", 1, "mask"))
    again = draw_mask(classes, PROBS, generator_for(13, "stage1", 0, "mask"))
    other_seed = draw_mask(classes, PROBS, generator_for(14, "stage1", 0, "mask"))
    assert torch.equal(epoch0, again)
    assert not torch.equal(epoch0, epoch1)
    assert not torch.equal(epoch0, other_seed)


def test_at_least_one_token_is_always_masked():
    short = [SPECIAL, ORDINARY, SPECIAL]
    gen = generator_for(2, "short")
    for _ in range(200):
        mask = draw_mask(short, PROBS, gen)
        assert mask.tolist() == [False, True, False]
    zero = class_probabilities(0.0, 0.0, 0.0)
    mask = draw_mask([SPECIAL, ORDINARY, ORDINARY, SPECIAL], zero, gen)
    assert int(mask.sum()) == 1 and not mask[0] and not mask[-1]
    # with a relation span present the fallback prefers it over an ordinary token (smallest u/p)
    picks = [
        draw_mask([SPECIAL, ORDINARY, RELATION, SPECIAL], class_probabilities(1e-6, 0, 1e-6), gen)
        for _ in range(50)
    ]
    assert all(int(m.sum()) == 1 for m in picks)


def test_masked_positions_become_mask_token_and_labels_keep_originals():
    ids = torch.tensor([[101, 7, 8, 9, 102, 0]])
    mask = torch.tensor([[False, True, False, True, False, False]])
    masked, labels = apply_mask(ids, mask, 103)
    assert masked.tolist() == [[101, 103, 8, 103, 102, 0]]
    assert labels.tolist() == [[IGNORE_INDEX, 7, IGNORE_INDEX, 9, IGNORE_INDEX, IGNORE_INDEX]]


# --- losses ------------------------------------------------------------------------------


def test_scl_loss_matches_hand_computed_infonce():
    f64 = torch.float64  # the loss is ~1e-4 here: float32 cancellation would cost 3 digits
    positives = torch.tensor([[1.0, 0.0]], dtype=f64)
    anchors = torch.tensor(
        [[2.0, 0.0], [0.0, 3.0], [-1.0, 1.0]], dtype=f64
    )  # norms differ: normalised inside
    irrelevant = torch.tensor([[[0.0, 1.0], [5.0, 5.0]]], dtype=f64)
    valid = torch.tensor([[True, False]])  # second irrelevant slot is padding
    negative_anchors = torch.tensor([[False, True, True]])
    tau = 0.1
    loss = scl_loss(positives, torch.tensor([0]), irrelevant, valid, anchors, negative_anchors, tau)
    pos = 1.0 / tau  # cos(anchor0, positive) = 1
    irr = 0.0 / tau  # cos(anchor0, [0, 1]) = 0
    anc1 = 0.0 / tau  # cos(positive, anchor1) = 0
    anc2 = -1 / math.sqrt(2) / tau  # cos(positive, anchor2)
    expected = -pos + math.log(math.exp(pos) + math.exp(irr) + math.exp(anc1) + math.exp(anc2))
    assert loss.shape == (1,)
    assert float(loss[0]) == pytest.approx(expected, rel=1e-9)
    # a less peaked case: positive at 45 degrees to its anchor, no anchor negatives
    loss = scl_loss(
        torch.tensor([[1.0, 1.0]], dtype=f64),
        torch.tensor([0]),
        irrelevant,
        valid,
        anchors,
        torch.zeros(1, 3, dtype=torch.bool),
        0.5,
    )
    pos, irr = (1 / math.sqrt(2)) / 0.5, 0.0
    assert float(loss[0]) == pytest.approx(-pos + math.log(math.exp(pos) + math.exp(irr)), rel=1e-9)


def test_info_nce_without_negatives_is_zero():
    assert float(info_nce(torch.tensor([3.0]), torch.full((1, 2), float("-inf")))[0]) == 0.0


def test_mean_pool_spans_averages_the_union_of_spans():
    hidden = torch.arange(2 * 4 * 2, dtype=torch.float32).reshape(2, 4, 2)
    pooled = mean_pool_spans(hidden, [(0, [(1, 3)]), (1, [(0, 1), (3, 4)])])
    assert torch.allclose(pooled[0], hidden[0, 1:3].mean(0))
    assert torch.allclose(pooled[1], (hidden[1, 0] + hidden[1, 3]) / 2)


# --- encoding ----------------------------------------------------------------------------


def _example(text: str, head, tail, relation: str = "r1") -> KnowledgeExample:
    return KnowledgeExample(relation, tuple(text.split()), head, tail, "explanation")


def test_word_spans_map_to_subword_spans(tokenizer):
    ex = _example("the aromatherapy mask contains lavenderoil extracts", (1, 3), (4, 5))
    (item,), report = encode_examples([ex], ["r1"], tokenizer, 128)
    decode = lambda span: tokenizer.decode(item.input_ids[span[0] : span[1]]).replace(" ", "")  # noqa: E731
    assert decode(item.head) == "aromatherapymask"
    assert decode(item.tail) == "lavenderoil"
    assert decode(item.relation) == "contains"
    assert item.classes[0] == SPECIAL and item.classes[-1] == SPECIAL
    assert report.kept == 1 and report.no_relation_span == 0


def test_truncation_keeps_mentions_or_drops_and_counts(tokenizer):
    words = [f"w{i}" for i in range(200)]
    words[150], words[160] = "alpha", "omega"
    far = KnowledgeExample("r1", tuple(words), (150, 151), (160, 161), "explanation")
    huge = KnowledgeExample("r1", tuple(words), (0, 1), (190, 191), "explanation")  # mentions 190 words apart
    items, report = encode_examples([far, huge], ["r1"], tokenizer, 32)
    assert (report.kept, report.trimmed, report.dropped_too_long) == (1, 1, 1)
    (item,) = items
    assert len(item.input_ids) == 32
    assert tokenizer.decode(item.input_ids[item.head[0] : item.head[1]]) == "alpha"
    assert tokenizer.decode(item.input_ids[item.tail[0] : item.tail[1]]) == "omega"
    assert item.input_ids[0] == tokenizer.cls_token_id and item.input_ids[-1] == tokenizer.sep_token_id


def test_bad_inputs_raise_one_line_errors(tokenizer):
    with pytest.raises(DataError, match="not in `relations`"):
        encode_examples([_example("a b c", (0, 1), (2, 3), relation="zzz")], ["r1"], tokenizer, 32)
    with pytest.raises(DataError, match="head_span"):
        encode_examples([_example("a b c", (2, 9), (0, 1))], ["r1"], tokenizer, 32)
    with pytest.raises(ConfigError, match="duplicates"):
        encode_examples([], ["r1", "r1"], tokenizer, 32)


# --- batching and config -----------------------------------------------------------------


def test_length_grouped_batches_cover_every_index_once_with_similar_lengths():
    lengths = [5 + (i * 37) % 60 for i in range(64)]
    batches = epoch_batches(lengths, 8, generator_for(3, "b"), length_grouped=True, group_batches=8)
    assert sorted(i for b in batches for i in b) == list(range(64))
    spread_grouped = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in batches)
    plain = epoch_batches(lengths, 8, generator_for(3, "b"), length_grouped=False)
    spread_plain = sum(max(lengths[i] for i in b) - min(lengths[i] for i in b) for b in plain)
    assert spread_grouped < spread_plain / 3
    assert batches == epoch_batches(lengths, 8, generator_for(3, "b"), length_grouped=True, group_batches=8)


def test_collate_pads_dynamically_or_to_max_length(tokenizer):
    exs = [_example("a b c d e f", (0, 1), (4, 5)), _example("x y z", (0, 1), (2, 3))]
    items, _ = encode_examples(exs, ["r1"], tokenizer, 32)
    spec = CollateSpec(tokenizer.pad_token_id, tokenizer.mask_token_id, PROBS, None, 2, 3)
    batch = collate(items, spec, generator_for(0, "m"), generator_for(0, "s"))
    assert batch.input_ids.shape == (2, 8) and batch.real_tokens == 8 + 5
    assert (batch.labels[batch.attention_mask == 0] == IGNORE_INDEX).all()
    padded = collate(
        items,
        CollateSpec(tokenizer.pad_token_id, tokenizer.mask_token_id, PROBS, 32, 2, 3),
        generator_for(0, "m"),
        generator_for(0, "s"),
    )
    assert padded.input_ids.shape == (2, 32) and padded.real_tokens == 13
    assert torch.equal(padded.masked_ids[:, :8], batch.masked_ids)  # masks do not depend on padding
    assert all((batch.labels[row] != IGNORE_INDEX).any() for row in range(2))


def test_config_validation():
    with pytest.raises(ConfigError, match="tau"):
        PretrainConfig(tau=0)
    with pytest.raises(ConfigError, match="at least one"):
        PretrainConfig(stage1_mslm=False, stage2_scl=False, stage2_mslm=False)
    with pytest.raises(ConfigError, match="unknown setting"):
        config_from_dict({"epochs": 3})
    cfg = config_from_dict({"stage1_sources": ["explanation"]})
    assert cfg.stage1_sources == ("explanation",)
    assert "num_threads" not in cfg.cache_fields() and "seed" in cfg.cache_fields()
