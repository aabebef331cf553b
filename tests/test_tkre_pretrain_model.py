"""Pins model loading (fresh tied MLM head vs a checkpoint's trained one) and masked-only logits."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.support.tkre_pretrain_fixtures import offline_cache, tiny_pretrain_set  # noqa: F401
from tkre.pretrain import PretrainConfig, pretrain_encoder
from tkre.pretrain.batching import CollateSpec, collate
from tkre.pretrain.encoding import encode_examples
from tkre.pretrain.losses import mslm_loss
from tkre.pretrain.masking import IGNORE_INDEX, class_probabilities
from tkre.pretrain.model import TiedMLMHead, default_base_model, load_base, model_identity
from tkre.pretrain.seeding import generator_for


@pytest.fixture(scope="module")
def minilm():
    return load_base(None, seed=0)


def test_minilm_gets_a_fresh_mlm_head_tied_to_the_word_embeddings(minilm):
    model = minilm.model
    assert minilm.identity["mlm_head"] == "fresh-tied"
    assert minilm.identity["weights_sha256"] and minilm.identity["weights_files"] == ["model.safetensors"]
    assert isinstance(model.mlm_head, TiedMLMHead)
    assert model.mlm_head.decoder.weight is model.encoder.get_input_embeddings().weight
    names = [name for name, _ in model.named_parameters()]
    assert "encoder.embeddings.word_embeddings.weight" in names
    assert "mlm_head.decoder.weight" not in names  # listed (and saved, and optimised) once
    assert model.is_new_parameter("mlm_head.dense.weight") and not model.is_new_parameter(
        "encoder.pooler.dense.weight"
    )


def test_fresh_head_init_is_seeded():
    first = load_base(None, seed=5).model.mlm_head.dense.weight
    again = load_base(None, seed=5).model.mlm_head.dense.weight
    other = load_base(None, seed=6).model.mlm_head.dense.weight
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_masked_only_logits_equal_full_logits_at_masked_positions(minilm):
    examples, relations = tiny_pretrain_set()
    items, _ = encode_examples(examples[:8], relations, minilm.tokenizer, 64)
    spec = CollateSpec(
        minilm.tokenizer.pad_token_id,
        minilm.tokenizer.mask_token_id,
        class_probabilities(0.2, 0.5, 0.8),
        None,
    )
    batch = collate(items, spec, generator_for(0, "mask"), None)
    model = minilm.model.eval()
    with torch.no_grad():
        hidden = model.hidden_states(batch.masked_ids, batch.attention_mask)
        fast = mslm_loss(hidden, batch.labels, model.mlm_head, masked_only=True)
        full = mslm_loss(hidden, batch.labels, model.mlm_head, masked_only=False)
        selected = batch.labels != IGNORE_INDEX
        assert torch.allclose(model.mlm_head(hidden[selected]), model.mlm_head(hidden)[selected], atol=1e-4)
    assert float(fast) == pytest.approx(float(full), abs=1e-5)
    assert int(selected.sum()) < selected.numel() / 2  # the point: far fewer positions than B*T


@pytest.fixture
def tiny_bert_with_mlm_head(tmp_path: Path) -> Path:
    """A small BertForMaskedLM saved with its (trained-by-construction) MLM head and MiniLM's tokenizer."""
    from transformers import AutoTokenizer, BertConfig, BertForMaskedLM

    tokenizer = AutoTokenizer.from_pretrained(default_base_model(), local_files_only=True)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    torch.manual_seed(0)
    folder = tmp_path / "tiny-bert-mlm"
    BertForMaskedLM(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def test_a_checkpoint_with_a_trained_mlm_head_keeps_it(tiny_bert_with_mlm_head: Path, offline_cache: Path):  # noqa: F811
    loaded = load_base(str(tiny_bert_with_mlm_head), seed=0)
    assert loaded.identity["mlm_head"] == "pretrained"
    assert not isinstance(loaded.model.mlm_head, TiedMLMHead)
    decoder = loaded.model.mlm_head.predictions.decoder
    assert decoder.weight is loaded.model.encoder.get_input_embeddings().weight
    # and the whole pipeline runs on it, exporting only the encoder
    examples, relations = tiny_pretrain_set()
    config = PretrainConfig(stage1_epochs=1, stage2_epochs=1, batch_size=8, max_length=48)
    result = pretrain_encoder(
        examples, relations, config, base_model=str(tiny_bert_with_mlm_head), progress=False
    )
    assert result.info["base_model"]["mlm_head"] == "pretrained"
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(result.encoder_dir), local_files_only=True)
    assert encoder.config.hidden_size == 32


def test_model_identity_hashes_the_weights_file(tiny_bert_with_mlm_head: Path):
    first = model_identity(str(tiny_bert_with_mlm_head))
    weights = tiny_bert_with_mlm_head / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    assert model_identity(str(tiny_bert_with_mlm_head))["weights_sha256"] != first["weights_sha256"]
    assert model_identity("no/such-model-anywhere")["weights_sha256"] is None
