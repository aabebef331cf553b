"""pretrain_encoder: the cached, resumable two-stage run (stage 1 MSLM -> stage 2 SCL + MSLM)."""

from __future__ import annotations

import contextlib
import dataclasses
import math
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from fsre_bench.atomic import atomic_write_json
from fsre_bench.cache import cache_dir as fsre_cache_dir
from fsre_bench.cache import content_hash
from fsre_bench.errors import DataError
from fsre_bench.numerics import cache_namespace
from tkre.pretrain.cache_entry import (
    ENCODER_SUBDIR,
    CorruptEntry,
    entry_lock,
    export_encoder,
    verified_info,
    write_marker,
)
from tkre.pretrain.checkpoint import report_corrupt
from tkre.pretrain.config import PretrainConfig
from tkre.pretrain.encoding import EncodedExample, encode_examples
from tkre.pretrain.model import default_base_model, load_base, model_identity, quiet_transformers
from tkre.pretrain.stages import StageRunner
from tkre.pretrain.trainer import StagePlan, StepCallback, planned_steps
from tkre.types import KnowledgeExample

# Bump when the training code changes what a given key produces, so old entries are not reused.
PRETRAIN_FORMAT = 3  # 3: the paper's SCL (projected anchors); 2: marked texts, marker-pair positive, blanking, warm-up


@dataclass(frozen=True)
class PretrainResult:
    """Where the pre-trained encoder lies (AutoModel + AutoTokenizer loadable) and what ran."""

    encoder_dir: Path
    info: dict[str, Any]

    @property
    def cache_hit(self) -> bool:
        return bool(self.info.get("cache_hit"))


def pretrain_encoder(
    examples: list[KnowledgeExample],
    relations: list[str],
    config: PretrainConfig,
    base_model: str | None = None,
    cache_dir: Path | None = None,
    progress: bool = True,
    *,
    on_step: StepCallback | None = None,
) -> PretrainResult:
    """Pre-train (or fetch from the cache) an encoder on knowledge texts; see tkre/pretrain/__init__.py.

    ``on_step(stage, epoch, step, losses)`` runs after every optimiser step (tests raise from it to
    simulate an interruption). ``cache_dir`` replaces ``$FSRE_BENCH_CACHE/tkre/pretrain``.
    """
    started = time.perf_counter()
    base_name = base_model or default_base_model()
    identity = model_identity(base_name)
    key = pretrain_cache_key(examples, relations, config, identity)
    root = Path(cache_dir) if cache_dir is not None else fsre_cache_dir(*cache_namespace("tkre", "pretrain"))
    entry = root / key
    notes: list[str] = []
    hit = _cached_result(entry, notes, started)
    if hit is not None:
        return hit
    entry.mkdir(parents=True, exist_ok=True)
    with entry_lock(entry), _torch_threads(config.num_threads), torch.random.fork_rng(devices=[]):
        hit = _cached_result(entry, notes, started)  # another process may have finished it meanwhile
        if hit is not None:
            return hit
        info = _build(entry, examples, relations, config, base_name, notes, on_step, progress)
    info.update(cache_key=key, cache_hit=False, wall_s_total=round(time.perf_counter() - started, 3))
    atomic_write_json(entry / "info.json", info)
    write_marker(entry, key, PRETRAIN_FORMAT)
    if not config.keep_checkpoints:
        shutil.rmtree(entry / "work", ignore_errors=True)
    return PretrainResult(encoder_dir=entry / ENCODER_SUBDIR, info=info)


def pretrain_cache_key(
    examples: Sequence[KnowledgeExample], relations: Sequence[str], config: PretrainConfig, identity: dict[str, Any]
) -> str:
    """Content hash of everything the weights depend on: texts, relations, settings, base model."""
    texts = [dataclasses.asdict(ex) for ex in examples]
    return content_hash("tkre-pretrain", PRETRAIN_FORMAT, texts, list(relations), config.cache_fields(),
                        _base_key(identity), length=24)


def planned_stage_steps(examples: Sequence[KnowledgeExample], relations: Sequence[str], config: PretrainConfig,
                        base_model: str | None = None) -> dict[str, int]:
    """Optimiser steps each stage would take on these texts, without training (the MLM warm-up left out: it
    trains the head alone). What a step-matched control reads (baselines/finetune.py, issue 31)."""
    from transformers import AutoTokenizer

    with quiet_transformers():
        tokenizer = AutoTokenizer.from_pretrained(base_model or default_base_model(), use_fast=True,
                                                  local_files_only=True)
    encoded, _ = encode_examples(list(examples), list(relations), tokenizer, config.max_length)
    plans = _stage_plans(encoded, [ex.source for ex in examples], config, fresh_head=False)
    return {plan.name: planned_steps(plan, config)[1] for plan in plans}


def _base_key(identity: dict[str, Any]) -> dict[str, Any]:
    """The base model's share of a cache key: its name and the sha256 of its weights."""
    return {"name": identity["name"], "weights_sha256": identity["weights_sha256"]}


def _build(
    entry: Path,
    examples: list[KnowledgeExample],
    relations: list[str],
    config: PretrainConfig,
    base_name: str,
    notes: list[str],
    on_step: StepCallback | None,
    progress: bool,
) -> dict[str, Any]:
    """Load, encode, run the stages (resuming where checkpoints allow) and export the encoder."""
    base = load_base(base_name, config.seed, config.device)
    encoded, report = encode_examples(examples, relations, base.tokenizer, config.max_length)
    if not encoded:
        raise DataError(f"pretrain_encoder: none of the {len(examples)} knowledge examples survived tokenisation")
    plans = _stage_plans(encoded, [ex.source for ex in examples], config, base.model.fresh_head)
    shared = _shared_stage1(entry.parent, plans, examples, relations, config, base.identity)
    runner = StageRunner(base.model, base.tokenizer, config, len(relations), entry / "work", notes, shared)
    stage_infos, resumed = runner.run(plans, on_step, progress)
    export_encoder(base.model.encoder, base.tokenizer, entry)
    return {
        "base_model": base.identity,
        "config": config.to_dict(),
        "relations": list(relations),
        "examples": {"given": len(examples), **report.to_dict()},
        "stages": stage_infos,
        "resumed_from": resumed,
        "warnings": notes,
        "torch_threads": torch.get_num_threads(),
        "versions": _versions(),
        "harness": _harness(),  # who produced these weights, for the provenance of every later reuse
    }


def _shared_stage1(root: Path, plans: list[StagePlan], examples: list[KnowledgeExample], relations: list[str],
                   config: PretrainConfig, identity: dict[str, Any]) -> Path | None:
    """Where the weights after stage 1 lie for every config with the same stage 1 (None: no stage 1)."""
    stage1 = next((plan for plan in plans if plan.name == "stage1"), None)
    if stage1 is None:
        return None
    texts = [dataclasses.asdict(examples[item.source_index]) for item in stage1.examples]
    key = content_hash("tkre-stage1", PRETRAIN_FORMAT, texts, list(relations), config.stage1_cache_fields(),
                       _base_key(identity), length=24)
    return root / "stage1" / key / "stage1.safetensors"


def _harness() -> dict[str, Any]:
    from fsre_bench.runner.provenance import harness_info  # here: the runner package imports the methods

    return harness_info()


def _stage_plans(encoded: list[EncodedExample], sources: list[str], config: PretrainConfig,
                 fresh_head: bool) -> list[StagePlan]:
    """The stages that run, each with the texts of its sources (a stage left with none is an error).

    A fresh MLM head is warmed up first (encoder frozen) on the texts of the first MSLM stage.
    """
    plans = []
    if config.stage1_mslm and config.stage1_epochs > 0:
        texts = _from_sources(encoded, sources, config.stage1_sources, "stage1_sources")
        plans.append(StagePlan("stage1", texts, config.stage1_epochs, use_mslm=True, use_scl=False))
    if config.stage2_runs and config.stage2_epochs > 0:
        texts = _from_sources(encoded, sources, config.stage2_sources, "stage2_sources")
        plans.append(StagePlan("stage2", texts, config.stage2_epochs, config.stage2_mslm, config.stage2_scl))
    mslm = [plan for plan in plans if plan.use_mslm]
    if fresh_head and config.mlm_warmup_steps > 0 and mslm:
        per_epoch = math.ceil(len(mslm[0].examples) / config.batch_size)
        plans.insert(0, StagePlan("mlm_warmup", mslm[0].examples, math.ceil(config.mlm_warmup_steps / per_epoch),
                                  use_mslm=True, use_scl=False, max_steps=config.mlm_warmup_steps,
                                  freeze_encoder=True))
    return plans


def _from_sources(
    encoded: list[EncodedExample], sources: list[str], wanted: tuple[str, ...] | None, setting: str
) -> list[EncodedExample]:
    if wanted is None:
        return encoded
    chosen = [item for item in encoded if sources[item.source_index] in wanted]
    if not chosen:
        raise DataError(f"PretrainConfig.{setting}={list(wanted)}: no knowledge example has such a source")
    return chosen


def _cached_result(entry: Path, notes: list[str], started: float) -> PretrainResult | None:
    """A complete, verified entry as a hit; a corrupt one is reported and cleared for rebuilding."""
    try:
        info = verified_info(entry)
    except CorruptEntry as exc:
        report_corrupt(f"pretrain {exc}", notes)
        return None
    if info is None:
        return None
    info.update(cache_hit=True, cache_check_s=round(time.perf_counter() - started, 3))
    return PretrainResult(encoder_dir=entry / ENCODER_SUBDIR, info=info)


@contextlib.contextmanager
def _torch_threads(num_threads: int | None) -> Iterator[None]:
    """Use ``num_threads`` torch threads for the call and put the caller's setting back."""
    if num_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _versions() -> dict[str, str]:
    import transformers

    return {"torch": torch.__version__, "transformers": transformers.__version__}
