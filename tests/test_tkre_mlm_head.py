"""The MLM head MSLM uses has learnt first (issue 31): its held-out masked-token cross-entropy is below the
unigram cross-entropy of the same held-out tokens by a stated margin, it is cached, it is what pre-training
loads, and a TKRE run refuses MSLM with one line when the head has not passed."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from fsre_bench.data.loader import load_dataset
from tests.support.cli_helpers import fails_with_one_line
from tests.test_tkre_method import TINY_FLAGS
from tkre.pretrain.checkpoint import CorruptCheckpointWarning
from tkre.pretrain.mlm_head import HEAD_FILE, HeadCorpus, HeadRecipe, _HeldOut, trained_head
from tkre.pretrain.model import default_base_model, load_base

# The test's margin: 0.5 nats below the unigram after 60 joint steps at twice the default learning rates (the
# default recipe asks 1.0 after 200 frozen + 400 joint steps). Measured on these sentences, 1 thread: joint-only at
# these rates reaches 0.85 below after 50 steps and 1.04 after 75 (105 s); 600 frozen steps alone only 0.18 below.
MARGIN = 0.5
RECIPE = HeadRecipe(frozen_steps=10, joint_steps=60, lr=2e-4, head_lr=2e-3, held_out=200, eval_every=30,
                    margin_nats=MARGIN, max_length=48)

@pytest.fixture(scope="module")
def corpus() -> HeadCorpus:
    train = load_dataset("fewrel/train_offline")  # FewRel's 64 training relations: no evaluation split
    return HeadCorpus("fewrel/train_offline", train.source_sha256, tuple(" ".join(i.tokens) for i in train.all_instances()))


@pytest.mark.slow
def test_the_head_learns_below_the_unigram_and_is_what_pretraining_loads(tmp_path: Path, corpus: HeadCorpus) -> None:
    head = trained_head(default_base_model(), corpus, RECIPE, cache_root=tmp_path)
    info = head.info
    assert info["passed"] and info["held_out_ce_nats"] <= info["unigram_ce_nats"] - MARGIN, info["curve"]
    # the fresh tied head starts far above the unigram; the curve ends where the result says
    assert info["curve"][0]["ce_nats"] > info["unigram_ce_nats"] + 1.0
    assert info["curve"][-1] == {"phase": "joint", "step": 60, "ce_nats": info["held_out_ce_nats"]}
    assert info["held_out_tokens"] > 500 and info["corpus"]["sentences"] == len(corpus.sentences)
    # what pre-training loads from the entry is that head: the same held-out CE, recomputed from the files
    loaded = load_base(str(head.directory), seed=1)
    assert not loaded.model.fresh_head and loaded.identity["mlm_head"] == "trained-here"
    order = torch.randperm(len(corpus.sentences), generator=_split_generator()).tolist()
    held = [corpus.sentences[i] for i in order[: RECIPE.held_out]]
    train = [corpus.sentences[i] for i in order[RECIPE.held_out:]]
    measure = _HeldOut(held, train, loaded.tokenizer, RECIPE)
    assert measure.unigram_ce == info["unigram_ce_nats"]
    assert abs(measure(loaded.model) - info["held_out_ce_nats"]) < 2e-3
    again = trained_head(default_base_model(), corpus, RECIPE, cache_root=tmp_path)
    assert again.info["cache_hit"] and again.directory == head.directory


def test_a_changed_head_file_is_not_trusted_but_trained_again(tmp_path: Path, corpus: HeadCorpus) -> None:
    recipe = HeadRecipe(frozen_steps=1, joint_steps=0, held_out=50, eval_every=1, max_length=32)
    first = trained_head(default_base_model(), corpus, recipe, cache_root=tmp_path)
    head_file = first.directory / HEAD_FILE
    original = head_file.read_bytes()
    head_file.write_bytes(original[:-8] + bytes(8))  # same size, other bytes: only the sha256 can tell
    with pytest.warns(CorruptCheckpointWarning, match="fails its sha256 check"):
        rebuilt = trained_head(default_base_model(), corpus, recipe, cache_root=tmp_path)
    assert not rebuilt.info["cache_hit"] and head_file.read_bytes() == original  # same recipe, same bytes again
    assert trained_head(default_base_model(), corpus, recipe, cache_root=tmp_path).info["cache_hit"]


def _split_generator() -> torch.Generator:
    from tkre.pretrain.seeding import derived_seed

    return torch.Generator().manual_seed(derived_seed(RECIPE.seed, "mlm-head-split"))


def test_a_head_that_has_not_passed_refuses_mslm_in_one_line(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    flags = [f for f in TINY_FLAGS if f not in ("--tkre-mlm-head-corpus", "none")]
    argv = ["run", "--methods", "tkre", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
            "--settings", "5-1", "--episodes", "2", "--seeds", "0", "--knowledge", "schema",
            "--tkre-mlm-head-frozen-steps", "1", "--tkre-mlm-head-joint-steps", "0",
            "--output-dir", str(tmp_path / "out"), *flags]
    fails_with_one_line(capsys, argv, "MLM head trained on semeval2010/train", "below the unigram", "MSLM")
