"""The default episodic sampler (protocol A) with optional FewRel 2.0 NOTA queries.

Episode i of seed s: its own ``random.Random`` from sha256(("episodic", s, i)); N relations
sampled from the candidates; per relation K + Q instances without replacement, the first K the
supports and the rest queries (so a query is never in its own episode's supports). NOTA queries
(count: ``nota_per_episode``) come from relations outside the N, the negative label included:
a relation uniformly, then one of its instances uniformly, no instance twice in an episode (as
the FewRel toolkit draws them, less its repeats). Queries are then shuffled with the same
generator, so a query's position does not reveal its label.
"""

from __future__ import annotations

import math
import random

from fsre_bench.episodes.pools import SamplingPool
from fsre_bench.episodes.seeding import episode_id, episode_rng
from fsre_bench.episodes.setting import EpisodeSetting, nota_mean, nota_per_episode
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Episode


def check_nota_possible(pool: SamplingPool, setting: EpisodeSetting, n_episodes: int) -> None:
    """NOTA queries need relations outside the N with enough instances between them."""
    most = math.ceil(nota_mean(setting))
    if not most or not n_episodes:
        return
    sizes = sorted(len(pool.ids[rel]) for rel in pool.nonempty)
    outside = len(sizes) - setting.n_way
    if outside < 1 or sum(sizes[:outside]) < most:
        raise DataError(
            f"setting {setting.name}: NOTA queries need relations outside the {setting.n_way} sampled ones, "
            f"but only {len(sizes)} relations have instances ({sum(sizes[: max(outside, 0)])} instances left "
            f"outside in the worst case, {most} needed); lower N or na_rate"
        )


def _nota_queries(rng: random.Random, pool: SamplingPool, chosen: list[str], count: int) -> list[str]:
    outside = [rel for rel in pool.nonempty if rel not in chosen]
    picked: list[str] = []
    seen: set[str] = set()
    while len(picked) < count:
        instance = rng.choice(pool.ids[rng.choice(outside)])
        if instance not in seen:
            seen.add(instance)
            picked.append(instance)
    return picked


def sample_episode(pool: SamplingPool, setting: EpisodeSetting, seed: int, index: int) -> Episode:
    """Episode ``index`` of ``seed``: a function of (seed, index, setting, pool) only."""
    rng = episode_rng("episodic", seed, index)
    k, q = setting.k_shot, setting.n_query or 1
    relations = rng.sample(pool.candidates, setting.n_way)
    support = []
    queries: list[str] = []
    labels: list[str] = []
    for rel in relations:
        drawn = rng.sample(pool.ids[rel], k + q)
        support.append(tuple(drawn[:k]))
        queries.extend(drawn[k:])
        labels.extend([rel] * q)
    n_nota = nota_per_episode(setting, index)
    if n_nota:
        queries.extend(_nota_queries(rng, pool, relations, n_nota))
        labels.extend([NOTA] * n_nota)
    order = list(range(len(queries)))
    rng.shuffle(order)
    return Episode(
        id=episode_id(seed, index),
        relations=tuple(relations),
        support=tuple(support),
        queries=tuple(queries[i] for i in order),
        labels=tuple(labels[i] for i in order),
    )


def sample_episodes(pool: SamplingPool, setting: EpisodeSetting, seed: int, n_episodes: int) -> list[Episode]:
    """Episodes 0 .. n_episodes-1 of ``seed`` (a prefix of a longer run equals a shorter run)."""
    check_nota_possible(pool, setting, n_episodes)
    return [sample_episode(pool, setting, seed, index) for index in range(n_episodes)]
