"""The frozen encoder (the embedded MiniLM): each representation's shape, duplicates encoded once, the disk cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fsre_bench.encoders.encoder import Encoder, load_encoder
from fsre_bench.types import RelationInstance

SENTENCES = [
    RelationInstance(id="t#0", tokens=("Ada", "Lovelace", "was", "born", "in", "London", "."), head=((0, 1),),
                     tail=((5,),), label="born_in"),
    RelationInstance(id="t#1", tokens=("Acme", "was", "founded", "by", "Bob", "."), head=((0,),), tail=((4,),),
                     label="founded_by", head_type="ORGANIZATION", tail_type="PERSON"),
]


@pytest.fixture
def encoder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    encoder = Encoder(batch_size=2)
    yield encoder
    encoder.close()


def test_each_representation_has_its_shape_and_matches_an_uncached_pass(encoder) -> None:
    hidden = 384
    for representation, width in (("entity-pool", 2 * hidden), ("marker-start", 2 * hidden), ("marker-mean", hidden)):
        vectors = encoder.embed_instances(SENTENCES, representation)
        assert vectors.shape == (2, width) and vectors.dtype == np.float32
        assert np.allclose(vectors, encoder.encode_uncached(SENTENCES, representation), atol=1e-5)
    assert np.linalg.norm(encoder.embed_instances(SENTENCES, "marker-mean"), axis=1) == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError, match=r"unknown representation 'cls'; known: entity-pool, marker-start"):
        encoder.embed_instances(SENTENCES, "cls")
    assert encoder.embed_instances([], "entity-pool").shape == (0, 0)


def test_duplicates_share_a_pass_and_a_new_encoder_reads_the_disk_cache(encoder, tmp_path: Path) -> None:
    vectors = encoder.embed_instances([SENTENCES[0], SENTENCES[1], SENTENCES[0]])
    assert encoder.stats.encoded_instances == 2 and np.array_equal(vectors[0], vectors[2])
    encoder.embed_instances(SENTENCES)
    assert encoder.stats.memory_hits >= 2 and encoder.stats.encoded_instances == 2
    again = Encoder(batch_size=2)
    try:
        assert np.array_equal(again.embed_instances(SENTENCES), vectors[:2])
        assert again.stats.encoded_instances == 0 and again.stats.disk_hits == 2
    finally:
        again.close()


def test_texts_are_unit_sentence_embeddings_and_encoders_are_shared_per_process(encoder) -> None:
    texts = encoder.embed_texts(["Ada was born in London.", "Acme was founded by Bob."])
    assert texts.shape == (2, 384) and np.linalg.norm(texts, axis=1) == pytest.approx([1.0, 1.0])
    assert encoder.stats.encoded_texts == 2
    assert load_encoder(None, use_disk_cache=False) is load_encoder("all-MiniLM-L6-v2", use_disk_cache=False)
