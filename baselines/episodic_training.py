"""Prototypical-loss training of an encoder on episodes sampled from a training split."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from baselines.specs import EPISODIC_OPTIONS
from fsre_bench.episodes import EpisodeSetting, build_episodes
from fsre_bench.errors import ConfigError
from fsre_bench.methods.options import options_dataclass
from fsre_bench.precision import OptimizerStep, autocast
from fsre_bench.progress import progress_task
from fsre_bench.training import (
    adamw_with_warmup,
    encode_marked,
    load_trainable_encoder,
    marker_representation,
    save_encoder,
    saved_encoder_dir,
    saved_encoder_lock,
)
from fsre_bench.training.budget import StageBudget
from fsre_bench.training.saved_encoder import saved_encoder_info
from fsre_bench.types import Dataset, Episode


@dataclass(frozen=True, kw_only=True)
class EpisodicBudget:
    """What episodic meta-training runs for: proto-ft's budget, and TKRE's meta-training stage (the same one).

    Every field is an option ``proto_ft_<field>``; TKRE reads the same options, so "proto-ft vs
    tkre" meta-trains on the same episodes for the same steps at the same lr by construction. The
    declared ones (steps, lr) take their defaults from baselines/specs.py's EPISODIC_OPTIONS.
    """

    steps: int
    n_way: int = 5
    k_shot: int = 2
    n_query: int = 1  # per relation: 5 x (2 + 1) = 15 texts a step
    lr: float
    scale: float = 10.0  # cosine -> logits
    max_length: int = 128
    precision: str = "auto"  # CUDA autocast (fsre_bench/precision.py); CPU runs fp32

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> EpisodicBudget:
        return options_dataclass(cls, options, "proto_ft_", EPISODIC_OPTIONS)


@dataclass
class EpisodicRun:
    """Where the meta-trained encoder lies and what the training spent (``budget``) and saw."""

    path: Path | None
    info: dict[str, Any]
    reused: bool = False  # a complete cache entry was used, nothing trained


def train_episodic(train: Dataset, budget: Any, base: str, key: str, *, seed: int, device: str = "cpu",
                   namespace: str = "proto_ft", checkpoints: Sequence[int] = (),
                   on_checkpoint: Callable[[int, Any, Any], None] | None = None, save: bool = True,
                   stop_after: int | None = None, info_extra: dict[str, Any] | None = None) -> EpisodicRun:
    """Train ``base`` for ``budget.steps`` episodes, save it under ``namespace``/``key``; cached runs are reused.

    ``on_checkpoint(step, encoder, tokenizer)`` runs after each step listed in ``checkpoints``
    (model selection on held-out relations evaluates there; the encoder is in eval mode meanwhile).
    ``save`` False: nothing is saved (the selection keeps its own best checkpoint); ``path`` is then None.
    ``stop_after``: stop after that many steps of the ``budget.steps`` schedule (warm-up and decay as
    in the full run), so a refit reproduces a selected checkpoint's training on other data.
    ``info_extra`` is recorded with the saved weights (and returned by a reuse).
    The same function meta-trains proto-ft from the base encoder and TKRE from its pre-trained one.
    """
    # save False: the caller (select_episodic) holds the lock of its own entry, and a second flock
    # from this process on that file would wait for ever.
    with saved_encoder_lock(namespace, key) if save else contextlib.nullcontext():
        cached = saved_encoder_dir(namespace, key)
        if cached is not None and save and not checkpoints:
            return EpisodicRun(cached, saved_encoder_info(cached), reused=True)
        encoder, tokenizer, info = _train(train, budget, base, seed=seed, device=device, checkpoints=checkpoints,
                                          on_checkpoint=on_checkpoint, stop_after=stop_after, info_extra=info_extra)
        return EpisodicRun(save_encoder(namespace, key, encoder, tokenizer, info) if save else None, info)


def _train(train: Dataset, budget: Any, base: str, *, seed: int, device: str, checkpoints: Sequence[int],
           on_checkpoint: Callable[[int, Any, Any], None] | None, stop_after: int | None,
           info_extra: dict[str, Any] | None) -> tuple[Any, Any, dict[str, Any]]:
    """The training itself (``train_episodic`` decides whether it runs): (encoder, tokenizer, info)."""
    torch.manual_seed(seed)
    random.seed(seed)
    encoder, tokenizer = load_trainable_encoder(base, device)
    encoder.train()
    episodes = _training_episodes(train, budget, seed)
    optimizer, scheduler = adamw_with_warmup(encoder.named_parameters(), lr=budget.lr, total_steps=len(episodes))
    if stop_after is not None:
        episodes = episodes[:stop_after]
    step = OptimizerStep(device, getattr(budget, "precision", "auto"))
    spent = StageBudget()
    at_checkpoints: list[dict[str, Any]] = []  # exact spend up to each checkpoint: a selected one's budget
    losses: list[float] = []
    with progress_task("episodic training", total=len(episodes), unit="ep") as task:
        for episode in episodes:
            loss, texts, tokens = _episode_loss(encoder, tokenizer, train, episode, budget, device)
            step(loss, optimizer, encoder.parameters())
            scheduler.step()
            spent.add_step(texts, tokens)
            losses.append(loss.item())
            task.advance(1)
            task.set_info(f"loss {sum(losses[-20:]) / len(losses[-20:]):.3f}")
            if on_checkpoint is not None and spent.steps in checkpoints:
                at_checkpoints.append(spent.so_far())
                encoder.eval()
                on_checkpoint(spent.steps, encoder, tokenizer)
                encoder.train()
    encoder.eval()
    from fsre_bench.runner.provenance import harness_info  # here: the runner package imports the methods

    info = {"steps": len(episodes), "first_loss": losses[0], "last_loss_mean20": sum(losses[-20:]) / min(20, len(losses)),
            "budget": spent.stop().as_dict(), "checkpoint_budgets": at_checkpoints, "base": base,
            "harness": harness_info(), **(info_extra or {})}  # who produced these weights, for every later reuse
    return encoder, tokenizer, info


def _training_episodes(train: Dataset, budget: Any, seed: int) -> list[Episode]:
    relations = [r for r in train.positive_relations if len(train.instances.get(r, ())) >= budget.k_shot + budget.n_query]
    n_way = min(budget.n_way, len(relations))
    if n_way < 2:
        raise ConfigError(f"proto-ft: {train.name}/{train.split} has fewer than 2 relations with "
                          f"{budget.k_shot + budget.n_query} examples; cannot train episodically")
    k_shot = budget.k_shot
    setting = EpisodeSetting(n_way=n_way, k_shot=k_shot, n_query=budget.n_query)
    return list(build_episodes(train, protocol="episodic", setting=setting, seed=seed + 7919, n_episodes=budget.steps,
                               small_relations="skip").episodes)


def _episode_loss(encoder: Any, tokenizer: Any, train: Dataset, episode: Episode, budget: Any,
                  device: str) -> tuple[torch.Tensor, int, int]:
    """Prototypical loss of one episode, with the texts and real tokens it ran through the encoder."""
    support_ids = [i for group in episode.support for i in group]
    instances = [train.by_id[i] for i in (*support_ids, *episode.queries)]
    batch = encode_marked(tokenizer, instances, budget.max_length).to(device)
    with autocast(device, getattr(budget, "precision", "auto")):
        reps = marker_representation(encoder, batch)
    reps = torch.nn.functional.normalize(reps.float(), dim=-1)
    k = len(episode.support[0])
    prototypes = torch.nn.functional.normalize(reps[: len(support_ids)].view(episode.n_way, k, -1).mean(1), dim=-1)
    logits = budget.scale * reps[len(support_ids):] @ prototypes.T
    targets = torch.tensor([episode.relations.index(label) for label in episode.labels], device=logits.device)
    return torch.nn.functional.cross_entropy(logits, targets), len(instances), int(batch.inputs["attention_mask"].sum())
