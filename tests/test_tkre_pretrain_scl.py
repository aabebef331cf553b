"""TKRE's default SCL is the paper's (issue 31): anchor vs relation span vs irrelevant spans of the same text,
all through one projection, a softmax over them, on the masked MSLM pass; nothing else enters the loss."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tkre.marked_texts import mark_example
from tkre.pretrain import PretrainConfig
from tkre.pretrain.batching import CollateSpec, collate
from tkre.pretrain.encoding import encode_examples
from tkre.pretrain.masking import class_probabilities
from tkre.pretrain.model import default_base_model, load_base
from tkre.pretrain.objectives import batch_objective, scl_term
from tkre.pretrain.seeding import generator_for
from tkre.pretrain.spans import ORDINARY
from tkre.types import KnowledgeExample

TEXTS = (("r1", "the engine is part of the car we bought last year", (1, 2), (6, 7)),
         ("r2", "smoke came out of the fire in the old kitchen", (1, 2), (5, 6)),
         ("r1", "a small wheel is part of the red car outside", (2, 3), (7, 8)))


@pytest.fixture(scope="module")
def setup():
    base = load_base(None, seed=3)
    texts = [mark_example(KnowledgeExample(rel, tuple(words.split()), head, tail, "synthetic"))
             for rel, words, head, tail in TEXTS]
    encoded, _ = encode_examples(texts, ["r1", "r2"], base.tokenizer, 64)
    config = PretrainConfig()
    spec = CollateSpec(base.tokenizer.pad_token_id, base.tokenizer.mask_token_id, class_probabilities(0.2, 0.5, 0.8),
                       None, irrelevant_per_text=config.irrelevant_spans_per_text,
                       entity_blank_rate=config.entity_blank_rate)
    batch = collate(encoded, spec, generator_for(0, "m"), generator_for(0, "s"), generator_for(0, "b"))
    base.model.add_scl_head(2, config.projection_dim, seed=3, anchor_projected=config.anchor_projected)
    return base, encoded, batch, config


def test_the_default_scl_settings_are_the_papers():
    config = PretrainConfig()
    assert (config.irrelevant_spans_per_text, config.in_batch_negatives, config.marker_positive,
            config.entity_blank_rate, config.scl_shared_forward, config.anchor_projected) == (1, False, False, 0.0,
                                                                                             True, True)


def test_scl_is_a_two_way_softmax_of_anchor_against_its_span_and_an_irrelevant_span_of_the_same_text(setup):
    base, encoded, batch, config = setup
    model = base.model
    # each negative is a span of ORDINARY tokens of its own text (not a mention, not the relation span)
    for row, spans in enumerate(batch.irrelevant_spans):
        assert len(spans) == 1
        for start, end in spans:
            assert all(encoded[row].classes[i] == ORDINARY for i in range(start, end))
    hidden = model.hidden_states(batch.masked_ids, batch.attention_mask)
    loss, rows, counts = scl_term(model, hidden, batch, config)
    assert rows == 3 and counts["scl_marker_rows"] == 0
    # the same number recomputed by hand: one projection for anchor, positive and negative; two logits a row
    expected = []
    for row in range(3):
        start, end = batch.relation_spans[row]
        (n_start, n_end), = batch.irrelevant_spans[row]
        project = lambda vector: F.normalize(model.projection(vector), dim=-1)  # noqa: E731
        anchor = project(model.anchors[int(batch.relation_index[row])])
        positive = project(hidden[row, start:end].mean(0))
        negative = project(hidden[row, n_start:n_end].mean(0))
        logits = torch.stack([anchor @ positive, anchor @ negative]) / config.tau
        expected.append(-torch.log_softmax(logits, 0)[0])
    assert torch.allclose(loss, torch.stack(expected).mean(), atol=1e-5)
    loss.backward()
    assert model.anchors.grad.abs().sum() > 0 and model.projection[0].weight.grad.abs().sum() > 0
    assert model.pair_projection[0].weight.grad is None  # the marker-pair head takes no part


def test_scl_reads_the_masked_pass_and_the_old_variant_is_still_an_option(setup):
    base, _, batch, config = setup
    model = base.model
    calls = []
    hook = model.encoder.register_forward_hook(lambda module, args, kwargs, output: calls.append(1), with_kwargs=True)
    try:
        out = batch_objective(model, batch, config, use_mslm=True, use_scl=True, stage2=True)
        assert len(calls) == 1 and out.scl is not None and out.mslm is not None  # one (masked) forward pass
        calls.clear()
        old = PretrainConfig(scl_shared_forward=False, in_batch_negatives=True, marker_positive=True)
        out_old = batch_objective(model, batch, old, use_mslm=True, use_scl=True, stage2=True)
        assert len(calls) == 2 and out_old.counts["scl_marker_rows"] == 3
    finally:
        hook.remove()


def test_every_scl_option_reaches_the_pretraining_config_and_the_method_options():
    from tkre.settings import TKRESettings

    paper = TKRESettings.from_options({}).scl_config()
    assert paper == {"irrelevant_spans_per_text": 1, "in_batch_negatives": False, "all_anchor_negatives": False,
                     "marker_positive": False, "entity_blank_rate": 0.0, "scl_shared_forward": True,
                     "anchor_projected": True}
    old = TKRESettings.from_options({"tkre_scl_anchor_negatives": "batch", "tkre_scl_marker_positive": True,
                                     "tkre_scl_entity_blank_rate": 0.7, "tkre_scl_unmasked_pass": True,
                                     "tkre_scl_irrelevant_spans": 2, "tkre_scl_direct_anchors": True}).scl_config()
    assert old == {"irrelevant_spans_per_text": 2, "in_batch_negatives": True, "all_anchor_negatives": False,
                   "marker_positive": True, "entity_blank_rate": 0.7, "scl_shared_forward": False,
                   "anchor_projected": False}
    # each differs in the pre-training cache key (the weights depend on it)
    assert PretrainConfig(**paper).cache_fields() != PretrainConfig(**old).cache_fields()
    assert default_base_model()
