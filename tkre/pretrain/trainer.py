"""One pre-training stage: epochs of seeded batches, AdamW with linear warmup/decay, grad clipping."""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import torch

from fsre_bench.precision import OptimizerStep, autocast
from tkre.pretrain.batching import CollateSpec, collate, epoch_batches
from tkre.pretrain.config import PretrainConfig
from tkre.pretrain.encoding import EncodedExample
from tkre.pretrain.masking import class_probabilities
from tkre.pretrain.model import PretrainModel
from tkre.pretrain.objectives import batch_objective
from tkre.pretrain.seeding import derived_seed, generator_for

# on_step(stage, epoch, step, losses) is called after every optimiser step; raising stops training
StepCallback = Callable[[str, int, int, dict[str, float]], None]
# save_epoch(stage, epoch, optimizer or None when the stage is complete, stage info)
EpochSaver = Callable[[str, int, "torch.optim.Optimizer | None", dict[str, Any]], None]


@dataclass
class StagePlan:
    """What one stage trains on and with which objectives."""

    name: str  # "mlm_warmup" | "stage1" | "stage2"
    examples: list[EncodedExample]
    epochs: int
    use_mslm: bool
    use_scl: bool
    max_steps: int | None = None  # this stage's own step cap (the MLM warm-up); None = config.max_steps
    freeze_encoder: bool = False  # train only the heads (the MLM warm-up)


@dataclass
class StageProgress:
    """Where a stage stands: the next epoch to run, steps done and the info gathered so far."""

    next_epoch: int = 0
    global_step: int = 0
    info: dict[str, Any] = field(default_factory=dict)


def build_optimizer(model: PretrainModel, config: PretrainConfig) -> torch.optim.AdamW:
    """AdamW; no weight decay on biases, LayerNorm weights and anchors; new parameters at ``head_lr``.

    Frozen parameters (``requires_grad`` False: the encoder during the MLM warm-up) are left out.
    """
    groups: dict[tuple[bool, bool], list[torch.nn.Parameter]] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        decay = param.ndim >= 2 and name != "anchors"
        groups.setdefault((model.is_new_parameter(name), decay), []).append(param)
    param_groups = [
        {
            "params": params,
            "lr": config.head_lr if new else config.lr,
            "base_lr": config.head_lr if new else config.lr,
            "weight_decay": config.weight_decay if decay else 0.0,
        }
        for (new, decay), params in sorted(groups.items())
    ]
    return torch.optim.AdamW(param_groups, lr=config.lr)


def lr_factor(step: int, total: int, warmup: int) -> float:
    """Linear warmup over ``warmup`` steps (the first step already > 0), then linear decay to 0."""
    if step < warmup:
        return (step + 1) / warmup
    return max(0.0, (total - step) / max(1, total - warmup))


def planned_steps(plan: StagePlan, config: PretrainConfig) -> tuple[int, int]:
    """(batches per epoch, total optimiser steps after the max_steps cap)."""
    per_epoch = math.ceil(len(plan.examples) / config.batch_size)
    total = per_epoch * plan.epochs
    cap = plan.max_steps if plan.max_steps is not None else config.max_steps
    if cap is not None:
        total = min(total, cap)
    return per_epoch, total


def train_stage(
    plan: StagePlan,
    model: PretrainModel,
    tokenizer: Any,
    config: PretrainConfig,
    state: StageProgress,
    optimizer: torch.optim.AdamW,
    save_epoch: EpochSaver,
    on_step: StepCallback | None = None,
    progress: bool = True,
) -> dict[str, Any]:
    """Run the remaining epochs of a stage; after each, ``save_epoch`` checkpoints it. Returns the info."""
    info = state.info or new_stage_info(plan, config)
    per_epoch, total = planned_steps(plan, config)
    warmup = math.ceil(config.warmup_ratio * total)
    spec = _collate_spec(plan, tokenizer, config)
    lengths = [len(ex.input_ids) for ex in plan.examples]
    model.train()
    model.encoder.requires_grad_(not plan.freeze_encoder)
    with _progress_bar(progress, plan.name, total, state.global_step) as advance:
        for epoch in range(state.next_epoch, plan.epochs):
            if state.global_step >= total:
                break
            started = time.perf_counter()
            epoch_sums = {"total": 0.0, "mslm": 0.0, "scl": 0.0, "batches": 0, "tokens": 0}
            torch.manual_seed(derived_seed(config.seed, plan.name, epoch, "dropout"))
            batches = epoch_batches(
                lengths, config.batch_size, generator_for(config.seed, plan.name, epoch, "batches"),
                config.length_grouped, config.length_group_batches,
            )
            mask_gen = generator_for(config.seed, plan.name, epoch, "mask")
            span_gen = generator_for(config.seed, plan.name, epoch, "spans") if plan.use_scl else None
            blank_gen = generator_for(config.seed, plan.name, epoch, "blank") if plan.use_scl else None
            for indices in batches:
                if state.global_step >= total:
                    break
                batch = collate([plan.examples[i] for i in indices], spec, mask_gen, span_gen, blank_gen).to(config.device)
                losses = _train_step(model, batch, plan, config, optimizer, lr_factor(state.global_step, total, warmup))
                state.global_step += 1
                _accumulate(info, epoch_sums, losses, batch.real_tokens, len(indices))
                advance(losses.get("total", float("nan")), epoch_sums["tokens"], time.perf_counter() - started)
                if on_step is not None:
                    on_step(plan.name, epoch, state.global_step, losses)
            info["wall_s"] += time.perf_counter() - started
            _close_epoch(info, epoch_sums, epoch, state.global_step, per_epoch)
            complete = state.global_step >= total or epoch == plan.epochs - 1
            state.next_epoch = epoch + 1
            save_epoch(plan.name, epoch, None if complete else optimizer, _finish(info, complete, total))
    model.encoder.requires_grad_(True)
    return _finish(info, True, total)


def _train_step(
    model: PretrainModel, batch: Any, plan: StagePlan, config: PretrainConfig,
    optimizer: torch.optim.AdamW, factor: float,
) -> dict[str, float]:
    with autocast(config.device, config.precision):
        out = batch_objective(model, batch, config, plan.use_mslm, plan.use_scl, stage2=plan.name == "stage2")
    result: dict[str, float] = {"masked_tokens": out.masked_tokens, "scl_rows": out.scl_rows,
                                "blanked_mentions": batch.blanked_mentions, **out.counts}
    if out.total is None:  # nothing to learn from in this batch (no mask, no SCL row)
        result["skipped"] = 1
        return result
    for group in optimizer.param_groups:
        group["lr"] = group["base_lr"] * factor
    OptimizerStep(config.device, config.precision, config.grad_clip)(out.total, optimizer, model.parameters())
    result["total"] = float(out.total.detach())
    if out.mslm is not None:
        result["mslm"] = float(out.mslm.detach())
    if out.scl is not None:
        result["scl"] = float(out.scl.detach())
    return result


def _collate_spec(plan: StagePlan, tokenizer: Any, config: PretrainConfig) -> CollateSpec:
    probs = None
    if plan.use_mslm:
        probs = class_probabilities(config.mask_prob_ordinary, config.mask_prob_entity, config.mask_prob_relation)
    return CollateSpec(
        pad_id=tokenizer.pad_token_id,
        mask_id=tokenizer.mask_token_id,
        mask_probs=probs,
        pad_to=config.max_length if config.pad_to_max_length else None,
        irrelevant_per_text=config.irrelevant_spans_per_text,
        irrelevant_max_len=config.irrelevant_span_max_len,
        entity_blank_rate=config.entity_blank_rate if plan.use_scl else 0.0,
    )


def new_stage_info(plan: StagePlan, config: PretrainConfig) -> dict[str, Any]:
    """The counters and loss history of a stage before its first step."""
    per_epoch, total = planned_steps(plan, config)
    return {
        "ran": True, "objectives": [n for n, on in (("mslm", plan.use_mslm), ("scl", plan.use_scl)) if on],
        "examples": len(plan.examples), "epochs_planned": plan.epochs, "batches_per_epoch": per_epoch,
        "steps_planned": total, "steps": 0, "epochs_completed": 0, "examples_seen": 0, "tokens": 0,
        "masked_tokens": 0, "scl_rows": 0, "scl_marker_rows": 0, "blanked_mentions": 0,
        "scl_skipped_no_relation_span": 0, "scl_skipped_no_negatives": 0, "encoder_frozen": plan.freeze_encoder,
        "skipped_batches": 0, "wall_s": 0.0,
        "loss_per_epoch": {"total": [], **{name: [] for name in ("mslm", "scl") if getattr(plan, f"use_{name}")}},
    }


def _accumulate(info: dict[str, Any], sums: dict[str, float], losses: dict[str, float], tokens: int, n: int) -> None:
    info["steps"] += 1
    info["examples_seen"] += n
    info["tokens"] += tokens
    sums["tokens"] += tokens
    for key in ("masked_tokens", "scl_rows", "scl_marker_rows", "blanked_mentions", "scl_skipped_no_relation_span",
                "scl_skipped_no_negatives"):
        info[key] += int(losses.get(key, 0))
    info["skipped_batches"] += int(losses.get("skipped", 0))
    if "total" in losses:
        sums["batches"] += 1
        for key in ("total", "mslm", "scl"):
            sums[key] += losses.get(key, 0.0)


def _close_epoch(info: dict[str, Any], sums: dict[str, float], epoch: int, step: int, per_epoch: int) -> None:
    done = max(1, sums["batches"])
    for key, history in info["loss_per_epoch"].items():
        history.append(round(sums[key] / done, 6))
    info["epochs_completed"] = epoch + 1 if step >= (epoch + 1) * per_epoch else epoch + (step - epoch * per_epoch) / per_epoch


def _finish(info: dict[str, Any], complete: bool, total: int) -> dict[str, Any]:
    info["complete"] = complete
    info["stopped_by_max_steps"] = complete and info["steps"] >= total and info["epochs_completed"] < info["epochs_planned"]
    wall = max(info["wall_s"], 1e-9)
    info["examples_per_s"] = round(info["examples_seen"] / wall, 2)
    info["tokens_per_s"] = round(info["tokens"] / wall, 1)
    info["final_loss"] = info["loss_per_epoch"]["total"][-1] if info["loss_per_epoch"]["total"] else None
    return info


@contextlib.contextmanager
def _progress_bar(enabled: bool, name: str, total: int, done: int) -> Iterator[Callable[[float, int, float], None]]:
    """A rich bar with loss and tokens/s; a no-op callable when disabled."""
    if not enabled:
        yield lambda loss, tokens, elapsed: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn(f"[bold]{name}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"), TextColumn("{task.fields[tps]:.0f} tok/s"), TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        task = bar.add_task(name, total=total, completed=done, loss=float("nan"), tps=0.0)

        def advance(loss: float, epoch_tokens: int, epoch_elapsed: float) -> None:
            bar.update(task, advance=1, loss=loss, tps=epoch_tokens / max(epoch_elapsed, 1e-9))

        yield advance
