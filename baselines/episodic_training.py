"""Prototypical-loss training of an encoder on episodes sampled from a training split."""

from __future__ import annotations

import random
from typing import Any

import torch

from fsre_bench.devices import autocast
from fsre_bench.episodes import EpisodeSetting, build_episodes
from fsre_bench.progress import progress_task
from fsre_bench.training import (
    adamw_with_warmup,
    encode_marked,
    load_trainable_encoder,
    marker_representation,
    save_encoder,
)
from fsre_bench.types import Dataset, Episode


def train_episodic(train: Dataset, budget: Any, base: str, key: str, *, seed: int, device: str = "cpu"):
    """Train for ``budget.steps`` episodes, save to the cache, return the saved directory."""
    torch.manual_seed(seed)
    random.seed(seed)
    encoder, tokenizer = load_trainable_encoder(base, device)
    encoder.train()
    episodes = _training_episodes(train, budget, seed)
    optimizer, scheduler = adamw_with_warmup(encoder.named_parameters(), lr=budget.lr, total_steps=len(episodes))
    losses: list[float] = []
    with progress_task("proto-ft training", total=len(episodes), unit="ep") as task:
        for episode in episodes:
            with autocast(device):  # bf16 on CUDA; float32 (unchanged) on CPU
                loss = _episode_loss(encoder, tokenizer, train, episode, budget, device)
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
            task.advance(1)
            task.set_info(f"loss {sum(losses[-20:]) / len(losses[-20:]):.3f}")
    encoder.eval()
    from fsre_bench.runner.provenance import harness_info  # here: the runner package imports the methods

    info = {"steps": len(episodes), "first_loss": losses[0], "last_loss_mean20": sum(losses[-20:]) / min(20, len(losses)),
            "harness": harness_info()}  # who produced these weights, for the provenance of every later reuse
    return save_encoder("proto_ft", key, encoder, tokenizer, info)


def _training_episodes(train: Dataset, budget: Any, seed: int) -> list[Episode]:
    relations = [r for r in train.positive_relations if len(train.instances.get(r, ())) >= budget.k_shot + budget.n_query]
    n_way = min(budget.n_way, len(relations))
    if n_way < 2:
        from fsre_bench.errors import ConfigError

        raise ConfigError(f"proto-ft: {train.name}/{train.split} has fewer than 2 relations with "
                          f"{budget.k_shot + budget.n_query} examples; cannot train episodically")
    k_shot = budget.k_shot
    setting = EpisodeSetting(n_way=n_way, k_shot=k_shot, n_query=budget.n_query)
    return build_episodes(train, protocol="episodic", setting=setting, seed=seed + 7919, n_episodes=budget.steps,
                          small_relations="skip")


def _episode_loss(encoder: Any, tokenizer: Any, train: Dataset, episode: Episode, budget: Any, device: str) -> torch.Tensor:
    support_ids = [i for group in episode.support for i in group]
    instances = [train.by_id[i] for i in (*support_ids, *episode.queries)]
    reps = marker_representation(encoder, encode_marked(tokenizer, instances, budget.max_length).to(device))
    reps = torch.nn.functional.normalize(reps, dim=-1)
    k = len(episode.support[0])
    prototypes = torch.nn.functional.normalize(reps[: len(support_ids)].view(episode.n_way, k, -1).mean(1), dim=-1)
    logits = budget.scale * reps[len(support_ids):] @ prototypes.T
    targets = torch.tensor([episode.relations.index(label) for label in episode.labels], device=logits.device)
    return torch.nn.functional.cross_entropy(logits, targets)
