"""K-shot RC with an encoder: a classifier head on start-marker states, fine-tuned end to end.

Shared by TKRE's K-shot step (on its pre-trained encoder) and the ``finetune`` baseline (on the
base encoder), so the two differ only in the encoder and the training set, never in the head,
the budget or the model selection.

Head: Linear(2H, H) - ReLU - Dropout - Linear(H, C) over the concatenated states at the opening
head and tail markers (TKRE.md, "Using the pre-trained encoder"). AdamW (head at its own lr,
it starts random), linear warmup then decay, gradient clipping at 1.0. The epoch with the best
dev score (micro-F1 without the negative label; accuracy where there is none) is kept; a later
epoch must be strictly better, so ties keep the earlier, less fitted model.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.metrics.scores import accuracy, micro_f1_excluding
from fsre_bench.precision import OptimizerStep, autocast
from fsre_bench.training.budget import StageBudget
from fsre_bench.training.marked_batches import encode_marked, marker_representation
from fsre_bench.training.optim import adamw_with_warmup
from fsre_bench.training.saved_encoder import load_trainable_encoder, quiet_transformers
from fsre_bench.types import RelationInstance


@dataclass(frozen=True, kw_only=True)
class ClassifierBudget:
    """Epochs, step cap, batch sizes and learning rates of the K-shot classifier (one definition for every method).

    ``epochs`` and ``max_steps`` are method options: their defaults are the reading method's declared ones
    (baselines/specs.py, tkre/spec.py), so they have none here.
    """

    epochs: int  # over the K-shot train set (+ synthetic where the method adds it)
    max_steps: int | None  # cap on optimiser steps
    batch_size: int = 8
    lr: float = 3e-5
    head_lr: float = 1e-3  # the classifier head starts random
    dropout: float = 0.1
    eval_batch_size: int = 64
    max_length: int = 128
    precision: str = "auto"  # CUDA autocast (fsre_bench/precision.py); CPU runs fp32

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size", "eval_batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (0 if name == "epochs" else 1):
                raise ConfigError(f"classifier {name}={value!r} must be an integer >= {0 if name == 'epochs' else 1}")
        if self.max_steps is not None and (not isinstance(self.max_steps, int) or self.max_steps < 1):
            raise ConfigError(f"classifier max_steps={self.max_steps!r} must be an integer >= 1")
        if not 0.0 <= self.dropout < 1.0 or self.lr <= 0 or self.head_lr <= 0:
            raise ConfigError("classifier: dropout must be in [0, 1) and the learning rates > 0")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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


def planned_classifier_steps(train_size: int, settings: ClassifierBudget) -> int:
    """Optimiser steps ``finetune_classifier`` takes on ``train_size`` examples (a step-matched control reads it)."""
    total = math.ceil(train_size / settings.batch_size) * settings.epochs
    return min(total, settings.max_steps) if settings.max_steps is not None else total


def finetune_classifier(
    encoder_dir: Path | str | None, train: Sequence[RelationInstance], dev: Sequence[RelationInstance],
    labels: Sequence[str], *, settings: ClassifierBudget, seed: int, negative_label: str | None, device: str = "cpu",
) -> FittedClassifier:
    """Fine-tune on ``train`` for the budgeted epochs/steps; keep the best epoch on ``dev``.

    ``encoder_dir`` None is the base encoder (the embedded MiniLM).
    """

    label_index = {label: i for i, label in enumerate(labels)}
    unknown = sorted({inst.label for inst in (*train, *dev)} - set(label_index))
    if unknown:
        raise DataError(f"tkre K-shot: label {unknown[0]!r} of a training/dev instance is not among the split's labels")
    torch.manual_seed(seed)
    with quiet_transformers():
        encoder, tokenizer = load_trainable_encoder(None if encoder_dir is None else str(encoder_dir), device)
    fitted = FittedClassifier(MarkerClassifier(encoder, len(labels), settings.dropout).to(device), tokenizer,
                              list(labels), {})
    total = planned_classifier_steps(len(train), settings)
    budget = StageBudget()
    best, history = _train_and_select(fitted, train, dev, label_index, total, settings, seed, negative_label,
                                      device, budget)
    if best["state"] is not None:
        fitted.model.load_state_dict(best["state"])
    fitted.model.eval()
    budget.stop()
    fitted.info = {"train_examples": len(train), "dev_examples": len(dev), "labels": len(labels),
                   "steps": budget.steps, "steps_planned": total, "selected_epoch": best["epoch"],
                   "selected_dev_score": best["score"], "history": history, "wall_s": budget.wall_s,
                   "budget": budget.as_dict(), "settings": settings.to_dict()}
    return fitted


def _train_and_select(
    fitted: FittedClassifier, train: Sequence[RelationInstance], dev: Sequence[RelationInstance],
    label_index: dict[str, int], total: int, settings: ClassifierBudget, seed: int, negative_label: str | None,
    device: str, budget: StageBudget,
) -> tuple[dict[str, Any], list[dict[str, float]]]:
    """Epochs of seeded shuffled batches; after each, score dev and keep a copy of a strictly better model."""
    optimizer, scheduler = adamw_with_warmup(fitted.model.named_parameters(), lr=settings.lr,
                                             total_steps=max(total, 1), lr_overrides={"head.": settings.head_lr})
    step = OptimizerStep(device, settings.precision)
    order = torch.Generator().manual_seed(seed)
    best: dict[str, Any] = {"score": -1.0, "epoch": None, "state": None}
    history: list[dict[str, float]] = []
    for epoch in range(settings.epochs):
        if budget.steps >= total:
            break
        losses = []
        for indices in torch.randperm(len(train), generator=order).split(settings.batch_size):
            if budget.steps >= total:
                break
            batch = [train[i] for i in indices]
            losses.append(_train_step(fitted, batch, label_index, optimizer, step, settings, device, budget))
            scheduler.step()
        score = dev_score(fitted, dev, negative_label, settings, device) if dev else float("nan")
        history.append({"epoch": epoch, "loss": round(sum(losses) / max(1, len(losses)), 5), "dev": round(score, 5)})
        if not dev or score > best["score"]:
            best = {"score": score, "epoch": epoch, "state": copy.deepcopy(fitted.model.state_dict())}
    return best, history


def _train_step(fitted: FittedClassifier, instances: list[RelationInstance], label_index: dict[str, int],
                optimizer: torch.optim.Optimizer, step: OptimizerStep, settings: ClassifierBudget, device: str,
                budget: StageBudget) -> float:
    fitted.model.train()
    batch = encode_marked(fitted.tokenizer, instances, settings.max_length).to(device)
    targets = torch.tensor([label_index[inst.label] for inst in instances], device=device)
    with autocast(device, settings.precision):
        logits = fitted.model(batch)
    loss = nn.functional.cross_entropy(logits.float(), targets)
    step(loss, optimizer, fitted.model.parameters())
    budget.add_step(len(instances), int(batch.inputs["attention_mask"].sum()))
    return float(loss.detach())


def classify(fitted: FittedClassifier, instances: Sequence[RelationInstance], settings: ClassifierBudget,
             device: str = "cpu") -> list[str]:
    """The arg-max label of each instance (length-sorted batches; answers in input order)."""
    fitted.model.eval()
    order = sorted(range(len(instances)), key=lambda i: len(instances[i].tokens))
    predicted: dict[int, str] = {}
    with torch.inference_mode():
        for start in range(0, len(order), settings.eval_batch_size):
            chunk = order[start:start + settings.eval_batch_size]
            batch = encode_marked(fitted.tokenizer, [instances[i] for i in chunk], settings.max_length).to(device)
            with autocast(device, settings.precision):
                best = fitted.model(batch).argmax(dim=-1).tolist()
            predicted.update({i: fitted.labels[b] for i, b in zip(chunk, best, strict=True)})
    return [predicted[i] for i in range(len(instances))]


def dev_score(fitted: FittedClassifier, dev: Sequence[RelationInstance], negative_label: str | None,
              settings: ClassifierBudget, device: str) -> float:
    """Micro-F1 without the negative label (SemEval/TACRED); accuracy for label sets without one."""
    predicted = classify(fitted, dev, settings, device)
    gold = [inst.label for inst in dev]
    if negative_label is None:
        return accuracy(predicted, gold)
    return micro_f1_excluding(predicted, gold, {negative_label})[2]
