"""K-shot RC with a pre-trained encoder: a classifier head on start-marker states, fine-tuned end to end.

Head: Linear(2H, H) - ReLU - Dropout - Linear(H, C) over the concatenated states at the opening
head and tail markers (TKRE.md, "Using the pre-trained encoder"). AdamW (head at its own lr,
it starts random), linear warmup then decay, gradient clipping at 1.0. The epoch with the best
dev score (micro-F1 without the negative label; accuracy where there is none) is kept; a later
epoch must be strictly better, so ties keep the earlier, less fitted model.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fsre_bench.devices import autocast
from fsre_bench.errors import DataError
from fsre_bench.metrics.scores import accuracy, micro_f1_excluding
from fsre_bench.training import (
    adamw_with_warmup,
    encode_marked,
    load_trainable_encoder,
    marker_representation,
)
from fsre_bench.types import RelationInstance
from tkre.pretrain.model import quiet_transformers
from tkre.settings import TKRESettings


class MarkerClassifier(nn.Module):
    """Encoder + Linear(2H,H)-ReLU-Dropout-Linear(H,C) over the start-marker representation."""

    def __init__(self, encoder: nn.Module, n_labels: int, dropout: float) -> None:
        super().__init__()
        hidden = encoder.config.hidden_size
        self.encoder = encoder
        self.head = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.ReLU(), nn.Dropout(dropout),
                                  nn.Linear(hidden, n_labels))

    def forward(self, batch: Any) -> torch.Tensor:
        return self.head(marker_representation(self.encoder, batch))


@dataclass
class FittedClassifier:
    model: MarkerClassifier
    tokenizer: Any
    labels: list[str]
    info: dict[str, Any]


def finetune_classifier(
    encoder_dir: Path, train: Sequence[RelationInstance], dev: Sequence[RelationInstance], labels: Sequence[str], *,
    settings: TKRESettings, seed: int, negative_label: str | None, device: str = "cpu",
) -> FittedClassifier:
    """Fine-tune on ``train`` for the budgeted epochs/steps; keep the best epoch on ``dev``."""
    label_index = {label: i for i, label in enumerate(labels)}
    unknown = sorted({inst.label for inst in (*train, *dev)} - set(label_index))
    if unknown:
        raise DataError(f"tkre K-shot: label {unknown[0]!r} of a training/dev instance is not among the split's labels")
    torch.manual_seed(seed)
    with quiet_transformers():
        encoder, tokenizer = load_trainable_encoder(str(encoder_dir), device)
    fitted = FittedClassifier(MarkerClassifier(encoder, len(labels), settings.dropout).to(device), tokenizer,
                              list(labels), {})
    total = math.ceil(len(train) / settings.finetune_batch_size) * settings.finetune_epochs
    if settings.finetune_max_steps is not None:
        total = min(total, settings.finetune_max_steps)
    started = time.perf_counter()
    best, history, steps = _train_and_select(fitted, train, dev, label_index, total, settings, seed, negative_label,
                                             device)
    if best["state"] is not None:
        fitted.model.load_state_dict(best["state"])
    fitted.model.eval()
    fitted.info = {"train_examples": len(train), "dev_examples": len(dev), "labels": len(labels), "steps": steps,
                   "steps_planned": total, "selected_epoch": best["epoch"], "selected_dev_score": best["score"],
                   "history": history, "wall_s": round(time.perf_counter() - started, 2)}
    return fitted


def _train_and_select(
    fitted: FittedClassifier, train: Sequence[RelationInstance], dev: Sequence[RelationInstance],
    label_index: dict[str, int], total: int, settings: TKRESettings, seed: int, negative_label: str | None, device: str,
) -> tuple[dict[str, Any], list[dict[str, float]], int]:
    """Epochs of seeded shuffled batches; after each, score dev and keep a copy of a strictly better model."""
    optimizer, scheduler = adamw_with_warmup(fitted.model.named_parameters(), lr=settings.finetune_lr,
                                             total_steps=max(total, 1), lr_overrides={"head.": settings.finetune_head_lr})
    order = torch.Generator().manual_seed(seed)
    best: dict[str, Any] = {"score": -1.0, "epoch": None, "state": None}
    history: list[dict[str, float]] = []
    steps = 0
    for epoch in range(settings.finetune_epochs):
        if steps >= total:
            break
        losses = []
        for indices in torch.randperm(len(train), generator=order).split(settings.finetune_batch_size):
            if steps >= total:
                break
            batch = [train[i] for i in indices]
            losses.append(_train_step(fitted, batch, label_index, optimizer, settings, device))
            scheduler.step()
            steps += 1
        score = dev_score(fitted, dev, negative_label, settings, device) if dev else float("nan")
        history.append({"epoch": epoch, "loss": round(sum(losses) / max(1, len(losses)), 5), "dev": round(score, 5)})
        if not dev or score > best["score"]:
            best = {"score": score, "epoch": epoch, "state": copy.deepcopy(fitted.model.state_dict())}
    return best, history, steps


def _train_step(fitted: FittedClassifier, instances: list[RelationInstance], label_index: dict[str, int],
                optimizer: torch.optim.Optimizer, settings: TKRESettings, device: str) -> float:
    fitted.model.train()
    batch = encode_marked(fitted.tokenizer, instances, settings.max_length).to(device)
    targets = torch.tensor([label_index[inst.label] for inst in instances], device=device)
    with autocast(device):  # bf16 on CUDA; float32 (unchanged) on CPU
        loss = nn.functional.cross_entropy(fitted.model(batch), targets)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(fitted.model.parameters(), 1.0)
    optimizer.step()
    return float(loss.detach())


def classify(fitted: FittedClassifier, instances: Sequence[RelationInstance], settings: TKRESettings,
             device: str = "cpu") -> list[str]:
    """The arg-max label of each instance (length-sorted batches; answers in input order)."""
    fitted.model.eval()
    order = sorted(range(len(instances)), key=lambda i: len(instances[i].tokens))
    predicted: dict[int, str] = {}
    with torch.inference_mode(), autocast(device):
        for start in range(0, len(order), settings.eval_batch_size):
            chunk = order[start:start + settings.eval_batch_size]
            batch = encode_marked(fitted.tokenizer, [instances[i] for i in chunk], settings.max_length).to(device)
            best = fitted.model(batch).argmax(dim=-1).tolist()
            predicted.update({i: fitted.labels[b] for i, b in zip(chunk, best, strict=True)})
    return [predicted[i] for i in range(len(instances))]


def dev_score(fitted: FittedClassifier, dev: Sequence[RelationInstance], negative_label: str | None,
              settings: TKRESettings, device: str) -> float:
    """Micro-F1 without the negative label (SemEval/TACRED); accuracy for label sets without one."""
    predicted = classify(fitted, dev, settings, device)
    gold = [inst.label for inst in dev]
    if negative_label is None:
        return accuracy(predicted, gold)
    return micro_f1_excluding(predicted, gold, {negative_label})[2]
