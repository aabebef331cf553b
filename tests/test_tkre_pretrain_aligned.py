"""Pre-training reads what inference reads: marked texts, the start-marker SCL positive, CP-style blanking."""

from __future__ import annotations

import pytest
import torch

from fsre_bench.encoders.entity_markers import marked_words
from fsre_bench.types import RelationInstance
from tkre.marked_texts import LABELLED_SOURCE, labelled_sentences, mark_example, mark_examples
from tkre.pretrain import PretrainConfig
from tkre.pretrain.batching import CollateSpec, collate
from tkre.pretrain.encoding import encode_examples
from tkre.pretrain.masking import class_probabilities
from tkre.pretrain.model import default_base_model, load_base
from tkre.pretrain.objectives import scl_term
from tkre.pretrain.seeding import generator_for
from tkre.pretrain.spans import ENTITY, RELATION, SPECIAL
from tkre.types import KnowledgeExample


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(default_base_model(), local_files_only=True)


def _instance(text: str, head: tuple[int, ...], tail: tuple[int, ...], types=(None, None), label="r1",
              ident="d/train#0") -> RelationInstance:
    return RelationInstance(ident, tuple(text.split()), (head,), (tail,), label, *types)


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def test_a_marked_text_is_exactly_the_sentence_inference_reads():
    inst = _instance("the engine of the big car broke", (1,), (4, 5), ("COMPONENT", "WHOLE_OBJECT"))
    plain = KnowledgeExample("r1", inst.tokens, inst.head_span, inst.tail_span, LABELLED_SOURCE, inst.id)
    marked = mark_examples([plain], {inst.id: inst})[0]
    inference = marked_words(inst)
    assert marked.tokens == inference.words
    assert (marked.head_marker, marked.tail_marker) == (inference.head_marker, inference.tail_marker)
    assert " ".join(marked.tokens) == "the @ * component * engine @ of the # ^ whole object ^ big car # broke"
    assert marked.tokens[marked.head_span[0]:marked.head_span[1]] == ("engine",)
    assert marked.tokens[marked.tail_span[0]:marked.tail_span[1]] == ("big", "car")
    assert [marked.tokens[i] for i in marked.marker_words] == ["@", "*", "component", "*", "@",
                                                               "#", "^", "whole object", "^", "#"]
    assert mark_example(marked) == marked  # marking twice changes nothing


def test_untyped_and_unmarkable_texts():
    untyped = mark_example(KnowledgeExample("r1", _words("a b c d"), (0, 1), (3, 4), "explanation"))
    assert " ".join(untyped.tokens) == "@ a @ b c # d #"
    missing = KnowledgeExample("r1", ("a", "b"), (0, 1), None, "explanation")
    assert mark_example(missing) is missing
    overlapping = KnowledgeExample("r1", ("a", "b"), (0, 2), (1, 2), "explanation")
    assert mark_example(overlapping) is overlapping


def test_markers_are_special_and_the_relation_span_lies_between_the_marker_blocks(tokenizer):
    text = mark_example(KnowledgeExample("r1", _words("the engine is part of the car"), (1, 2), (6, 7),
                                         "explanation"))
    (encoded,), report = encode_examples([text], ["r1"], tokenizer, 64)
    tokens = tokenizer.convert_ids_to_tokens(list(encoded.input_ids))
    assert report.marked == 1 and encoded.markers is not None
    assert tokens[encoded.markers[0]] == "@" and tokens[encoded.markers[1]] == "#"
    classes = dict(zip(tokens, encoded.classes, strict=False))
    assert classes["@"] == SPECIAL and classes["#"] == SPECIAL and classes["engine"] == ENTITY
    assert [tokens[i] for i in range(*encoded.relation)] == ["is", "part", "of", "the"]
    assert all(encoded.classes[i] == RELATION for i in range(*encoded.relation))


def test_labelled_sentences_are_all_of_them_or_a_seeded_subset():
    instances = [_instance("a b c", (0,), (2,), label=f"r{i % 2}", ident=f"d/train#{i}") for i in range(10)]
    assert [ex.instance_id for ex in labelled_sentences(instances, None, 0)] == [i.id for i in instances]
    few = labelled_sentences(instances, 2, 0)
    assert len(few) == 4 and {ex.relation for ex in few} == {"r0", "r1"}
    assert few == labelled_sentences(instances, 2, 0) and few != labelled_sentences(instances, 2, 1)


def _marked_batch(tokenizer, blank_rate: float, seed: int = 0):
    texts = [mark_example(KnowledgeExample(rel, tuple(words.split()), head, tail, "labelled"))
             for rel, words, head, tail in (("r1", "the engine is part of the car today", (1, 2), (6, 7)),
                                            ("r2", "smoke came out of the fire", (1, 2), (5, 6)),
                                            ("r1", "the wheel car was red and old", (1, 2), (2, 3)))]
    encoded, _ = encode_examples(texts, ["r1", "r2"], tokenizer, 64)
    spec = CollateSpec(tokenizer.pad_token_id, tokenizer.mask_token_id, class_probabilities(0.2, 0.5, 0.8), None,
                       irrelevant_per_text=2, entity_blank_rate=blank_rate)
    return encoded, collate(encoded, spec, generator_for(seed, "m"), generator_for(seed, "s"), generator_for(seed, "b"))


def test_entity_mentions_are_blanked_in_the_scl_input_at_the_rate(tokenizer):
    encoded, batch = _marked_batch(tokenizer, 1.0)
    assert batch.blanked_mentions == 6 and batch.scl_ids is not None
    for row, item in enumerate(encoded):
        for start, end in (item.head, item.tail):
            assert (batch.scl_ids[row, start:end] == tokenizer.mask_token_id).all()
        assert batch.scl_ids[row, item.markers[0]] == batch.input_ids[row, item.markers[0]]  # markers stay
    _, none = _marked_batch(tokenizer, 0.0)
    assert none.scl_ids is None and none.blanked_mentions == 0
    rates = [_marked_batch(tokenizer, 0.5, seed)[1].blanked_mentions for seed in range(40)]
    assert 0.35 < sum(rates) / (40 * 6) < 0.65


def test_scl_has_a_start_marker_positive_next_to_the_relation_span(tokenizer):
    _, batch = _marked_batch(tokenizer, 0.0)
    base = load_base(None, seed=3)
    base.model.add_scl_head(2, 16, seed=3)
    hidden = base.model.hidden_states(batch.input_ids, batch.attention_mask)
    # the supervised variant of earlier rounds (in-batch anchor negatives), where the pair positive is an option
    with_pair = PretrainConfig(marker_positive=True, in_batch_negatives=True)
    loss, rows, counts = scl_term(base.model, hidden, batch, with_pair)
    # texts 0 and 1 have a relation span and markers (2 rows each); text 2's entities touch: its pair row only
    assert (rows, counts["scl_marker_rows"], counts["scl_skipped_no_relation_span"]) == (5, 3, 0)
    loss.backward()
    assert base.model.pair_projection[0].weight.grad.abs().sum() > 0
    _, rows_off, counts_off = scl_term(base.model, hidden.detach(), batch,
                                           PretrainConfig(marker_positive=False, in_batch_negatives=True))
    assert (rows_off, counts_off["scl_skipped_no_relation_span"]) == (2, 1)
    # the pair positive is the start-marker states, the representation inference reads
    assert base.model.pair_projection[0].in_features == 2 * hidden.shape[-1]
    assert torch.isfinite(loss)
