"""Runs the planned stages in order, resuming from the furthest verified epoch checkpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from tkre.pretrain.cache_entry import entry_lock
from tkre.pretrain.checkpoint import (
    checkpoint_path,
    discard,
    read_verified,
    restore_model,
    restore_optimizer,
    save_checkpoint,
    stage_checkpoints,
    training_state,
)
from tkre.pretrain.config import PretrainConfig
from tkre.pretrain.model import PretrainModel, weights_digest
from tkre.pretrain.trainer import (
    StagePlan,
    StageProgress,
    StepCallback,
    build_optimizer,
    new_stage_info,
    train_stage,
)

Loaded = tuple[dict[str, torch.Tensor], dict[str, Any]]


class StageRunner:
    """Stage 1 then stage 2 on one model; stage 2 continues from the stage-1 weights in memory."""

    def __init__(
        self, model: PretrainModel, tokenizer: Any, config: PretrainConfig, n_relations: int,
        work_dir: Path, notes: list[str], shared_stage1: Path | None = None,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.config = config
        self.n_relations = n_relations
        self.work_dir = work_dir
        self.notes = notes
        # where the weights after stage 1 are kept for every config that trains the same stage 1
        self.shared_stage1 = shared_stage1
        self.infos: dict[str, dict[str, Any]] = {
            "mlm_warmup": {"ran": False, "reason": _warmup_skip_reason(config, model)},
            "stage1": {"ran": False, "reason": _skip_reason(config, "stage1")},
            "stage2": {"ran": False, "reason": _skip_reason(config, "stage2")},
        }

    def run(self, plans: list[StagePlan], on_step: StepCallback | None, progress: bool) -> tuple[dict[str, Any], Any]:
        """Train every plan not yet done; returns (per-stage info, where it resumed from or None)."""
        start, loaded = self._resume_point(plans)
        resumed = None
        if loaded is not None:
            meta = loaded[1]
            self.infos.update(meta["previous_stages"])
            resumed = {"stage": meta["stage"], "epoch": meta["epoch"], "stage_complete": meta["stage_complete"]}
        elif self.shared_stage1 is not None:
            # Hold the shared stage-1 entry's lock from the reuse check until stage 1 is saved: a second config
            # with the same stage 1 (tkre-no-scl beside tkre on the other ray worker) waits for these weights
            # instead of training the same stage 1 at the same time (issue 31's reuse ratio).
            after_stage1 = next(i for i, plan in enumerate(plans) if plan.name == "stage1") + 1
            self.shared_stage1.parent.mkdir(parents=True, exist_ok=True)
            with entry_lock(self.shared_stage1.parent):
                if not self._reuse_stage1(self.shared_stage1):
                    self._train(plans, range(start, after_stage1), None, on_step, progress)
            start = after_stage1
        self._train(plans, range(start, len(plans)), loaded, on_step, progress)
        return self.infos, resumed

    def _train(self, plans: list[StagePlan], indices: range, loaded: Loaded | None, on_step: StepCallback | None,
               progress: bool) -> None:
        """Train plans[indices] in order; ``loaded`` (a checkpoint of plans[indices.start]) resumes the first."""
        for index in indices:
            plan = plans[index]
            if plan.use_scl and self.model.anchors is None:
                self.model.add_scl_head(self.n_relations, self.config.projection_dim, self.config.seed,
                                        self.config.anchor_projected)
            self.model.encoder.requires_grad_(not plan.freeze_encoder)  # before the optimizer picks its parameters
            optimizer = build_optimizer(self.model, self.config)
            if loaded is not None and index == indices.start:
                state = self._restore(loaded, optimizer)
                if loaded[1]["stage_complete"]:
                    self.infos[plan.name] = loaded[1]["info"]
                    continue
            else:
                state = StageProgress(info={**new_stage_info(plan, self.config), "start_weights_sha256": weights_digest(self.model.encoder)})
            self.infos[plan.name] = train_stage(
                plan, self.model, self.tokenizer, self.config, state, optimizer,
                self._save_epoch, on_step, progress,
            )
            if plan.name == "stage1" and self.shared_stage1 is not None:
                stages = {name: self.infos[name] for name in ("mlm_warmup", "stage1")}
                save_checkpoint(self.shared_stage1, training_state(self.model, None), {"stages": stages})

    def _reuse_stage1(self, shared: Path) -> bool:
        """Start from the shared weights after stage 1 (and its warm-up) when another config trained them."""
        if not shared.exists():
            return False
        loaded = read_verified(shared, self.notes)
        if loaded is None:
            return False
        tensors, meta = loaded
        restore_model(self.model, tensors)
        for name, info in meta["stages"].items():
            self.infos[name] = {**info, "reused": shared.parent.name}
        return True

    def _resume_point(self, plans: list[StagePlan]) -> tuple[int, Loaded | None]:
        """Index of the furthest stage with a verified checkpoint and that checkpoint (0, None if none)."""
        for index in reversed(range(len(plans))):
            for path in stage_checkpoints(self.work_dir, plans[index].name):
                loaded = read_verified(path, self.notes)
                if loaded is not None:
                    return index, loaded
        return 0, None

    def _restore(self, loaded: Loaded, optimizer: torch.optim.Optimizer) -> StageProgress:
        tensors, meta = loaded
        restore_model(self.model, tensors)
        if not meta["stage_complete"]:
            restore_optimizer(optimizer, self.model, tensors)
        return StageProgress(next_epoch=meta["epoch"] + 1, global_step=meta["global_step"], info=dict(meta["info"]))

    def _save_epoch(self, stage: str, epoch: int, optimizer: torch.optim.Optimizer | None, info: dict[str, Any]) -> None:
        """Checkpoint one finished epoch (optimizer state only mid-stage), then drop older ones."""
        complete = optimizer is None
        if complete:
            info["end_weights_sha256"] = weights_digest(self.model.encoder)
        meta = {
            "stage": stage,
            "epoch": epoch,
            "global_step": info["steps"],
            "stage_complete": complete,
            "info": info,
            "previous_stages": {k: v for k, v in self.infos.items() if k != stage and v.get("ran")},
        }
        path = checkpoint_path(self.work_dir, stage, epoch)
        save_checkpoint(path, training_state(self.model, optimizer), meta)
        for older in stage_checkpoints(self.work_dir, stage):
            if older != path:
                discard(older)


def _warmup_skip_reason(config: PretrainConfig, model: PretrainModel) -> str:
    if not model.fresh_head:
        return "the base model has a trained MLM head"
    if config.mlm_warmup_steps == 0:
        return "mlm_warmup_steps is 0"
    return "no stage uses MSLM"


def _skip_reason(config: PretrainConfig, stage: str) -> str:
    if stage == "stage1":
        return "stage1_mslm is off" if not config.stage1_mslm else "stage1_epochs is 0"
    return "stage2_scl and stage2_mslm are off" if not config.stage2_runs else "stage2_epochs is 0"
