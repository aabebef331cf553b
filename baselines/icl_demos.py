"""Which support examples an ICL prompt shows, within a demo count and a token budget.

Episodic: every relation's supports, taken round-robin (so a cut keeps the relations balanced),
then shown in a seeded order. K-shot RC: the nearest neighbours of the query's sentence
embedding among the K-shot training set, most similar last (closest to the query).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

import numpy as np

from baselines.icl_prompts import Option, describe_instance, estimate_tokens
from fsre_bench.cache import content_hash
from fsre_bench.types import Episode, EpisodeData, RelationInstance

Demo = tuple[RelationInstance, Option]
DEMO_OVERHEAD_TOKENS = 4  # "Answer: X" and the blank line around a demonstration


def demo_tokens(instance: RelationInstance) -> int:
    return estimate_tokens(describe_instance(instance)) + DEMO_OVERHEAD_TOKENS


def take_within_budget(ordered: Sequence[Demo], max_demos: int | None, budget: int | None, used: int) -> list[Demo]:
    """The longest prefix of ``ordered`` within ``max_demos`` and ``budget`` (tokens, ``used`` already spent)."""
    chosen: list[Demo] = []
    for demo in ordered:
        if max_demos is not None and len(chosen) >= max_demos:
            break
        cost = demo_tokens(demo[0])
        if budget is not None and used + cost > budget:
            break  # stop rather than skip: a skipped long demo would unbalance the relations
        chosen.append(demo)
        used += cost
    return chosen


def episode_demos(
    episode: Episode,
    data: EpisodeData,
    option_of: Mapping[str, Option],
    seed: int,
    max_demos: int | None,
    budget: int | None,
    fixed_tokens: int,
) -> list[Demo]:
    """The supports an episode's prompts show, identical for all its queries (shared prompt prefix)."""
    rng = random.Random(content_hash("icl-demos", seed, episode.id))
    groups: list[list[Demo]] = []
    for rel_id, support_ids in zip(episode.relations, episode.support, strict=True):
        group = [(inst, option_of[rel_id]) for inst in data.get(support_ids)]
        rng.shuffle(group)
        groups.append(group)
    round_robin = [g[k] for k in range(max((len(g) for g in groups), default=0)) for g in groups if k < len(g)]
    chosen = take_within_budget(round_robin, max_demos, budget, fixed_tokens)
    rng.shuffle(chosen)
    return chosen


class NearestDemoRetriever:
    """K-shot RC: demonstrations by cosine similarity of sentence embeddings (the shared encoder cache)."""

    def __init__(self, supports: Sequence[Demo], encoder: object) -> None:
        self.supports = list(supports)
        self.encoder = encoder
        self.vectors = self.embed([inst for inst, _ in self.supports])

    def embed(self, instances: Sequence[RelationInstance]) -> np.ndarray:
        texts = [inst.text for inst in instances]
        embed = getattr(self.encoder, "embed_texts", None) or self.encoder.embed_sentences  # type: ignore[attr-defined]
        return np.asarray(embed(texts), dtype=np.float32)

    def nearest(self, query_vector: np.ndarray, max_demos: int | None, budget: int | None, fixed_tokens: int) -> list[Demo]:
        """Most similar supports within the limits, returned least similar first."""
        if not self.supports:
            return []
        similarity = self.vectors @ np.asarray(query_vector, dtype=np.float32)
        order = np.argsort(-similarity, kind="stable")  # ties keep support order: deterministic
        chosen = take_within_budget([self.supports[i] for i in order], max_demos, budget, fixed_tokens)
        return chosen[::-1]
