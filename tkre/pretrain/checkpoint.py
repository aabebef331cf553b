"""Training checkpoints: safetensors only, written atomically, verified by a sha256 manifest."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from fsre_bench.atomic import atomic_write_json
from fsre_bench.cache import file_sha256
from tkre.pretrain.model import PretrainModel, unique_parameters

MODEL_PREFIX = "model/"
OPTIM_PREFIX = "optim/"


class CorruptCheckpointWarning(UserWarning):
    """A checkpoint or cached output failed its sha256 check and is being rebuilt."""


def checkpoint_path(work_dir: Path, stage: str, epoch: int) -> Path:
    return work_dir / f"{stage}-epoch{epoch:03d}.safetensors"


def manifest_path(weights: Path) -> Path:
    return weights.with_suffix(".json")


def training_state(model: PretrainModel, optimizer: torch.optim.Optimizer | None) -> dict[str, torch.Tensor]:
    """Flat name -> tensor dict of the model's parameters and (optionally) the AdamW state."""
    params = unique_parameters(model)
    tensors = {MODEL_PREFIX + name: p.detach().cpu().contiguous() for name, p in params.items()}
    if optimizer is not None:
        name_of = {id(p): name for name, p in params.items()}
        for param, state in optimizer.state.items():
            for key, value in state.items():
                tensors[f"{OPTIM_PREFIX}{name_of[id(param)]}/{key}"] = torch.as_tensor(value).detach().cpu().contiguous()
    return tensors


def save_checkpoint(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Write weights (temp + fsync + rename), then the manifest with their sha256: manifest last."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        save_file(tensors, str(tmp), metadata={"format": "pt"})
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    atomic_write_json(manifest_path(path), {**meta, "file": path.name, "sha256": file_sha256(path)})


def read_verified(
    path: Path, notes: list[str] | None = None
) -> tuple[dict[str, torch.Tensor], dict[str, Any]] | None:
    """Tensors and manifest of a checkpoint whose sha256 matches; None (warned, noted, deleted) otherwise."""
    manifest = manifest_path(path)
    try:
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        actual = file_sha256(path)
    except (OSError, ValueError):
        meta, actual = None, None
    if meta is None or actual != meta.get("sha256"):
        report_corrupt(f"pretrain checkpoint {path} is missing, unreadable or fails its sha256 check; discarded", notes)
        discard(path)
        return None
    return load_file(str(path)), meta


def report_corrupt(message: str, notes: list[str] | None) -> None:
    """Warn (CorruptCheckpointWarning) and keep the message for the run info."""
    warnings.warn(message, CorruptCheckpointWarning, stacklevel=3)
    if notes is not None:
        notes.append(message)


def discard(path: Path) -> None:
    path.unlink(missing_ok=True)
    manifest_path(path).unlink(missing_ok=True)


def stage_checkpoints(work_dir: Path, stage: str) -> list[Path]:
    """Checkpoint files of one stage that have a manifest, newest epoch first."""
    if not work_dir.is_dir():
        return []
    found = [p for p in work_dir.glob(f"{stage}-epoch*.safetensors") if manifest_path(p).exists()]
    return sorted(found, reverse=True)


def restore_model(model: PretrainModel, tensors: dict[str, torch.Tensor]) -> None:
    """Copy checkpoint parameters into ``model`` in place (every parameter must be present)."""
    params = unique_parameters(model)
    with torch.no_grad():
        for name, param in params.items():
            param.copy_(tensors[MODEL_PREFIX + name].to(param.device))


def restore_optimizer(optimizer: torch.optim.Optimizer, model: PretrainModel, tensors: dict[str, torch.Tensor]) -> None:
    """Put the saved AdamW moments and step counts back (exact resume)."""
    for name, param in unique_parameters(model).items():
        prefix = f"{OPTIM_PREFIX}{name}/"
        state = {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
        if state:
            optimizer.state[param] = {
                k: (v if k == "step" else v.to(param.device)) for k, v in state.items()
            }
