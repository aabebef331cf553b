"""FS-TACRED-style episodes (Sabo et al., TACL 2021): natural label distribution in the queries.

Episode i of seed s: its own generator from sha256(("natural-nota", s, i)); N relations sampled
from the split's positive relations (never the negative label); K supports each; then Q queries
(default 3) drawn uniformly from every instance of the split except this episode's supports,
without repeats. Uniform over instances means queries follow the split's natural label
distribution, so most are NOTA: any instance whose label is not among the N (the negative label
included) gets the gold label NOTA. Metric (the lead's metrics module): micro-F1 over non-NOTA
labels. ``relation_split.split_relations`` makes FS-TACRED-like train/dev/test relation splits.
"""

from __future__ import annotations

from fsre_bench.episodes.pools import SamplingPool
from fsre_bench.episodes.seeding import episode_id, episode_rng
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Episode


def sample_episode(pool: SamplingPool, setting: EpisodeSetting, seed: int, index: int) -> Episode:
    """Natural-NOTA episode ``index`` of ``seed``."""
    rng = episode_rng("natural-nota", seed, index)
    relations = rng.sample(pool.candidates, setting.n_way)
    support = tuple(tuple(rng.sample(pool.ids[rel], setting.k_shot)) for rel in relations)
    taken = {inst for group in support for inst in group}
    chosen = set(relations)
    queries: list[str] = []
    labels: list[str] = []
    total = len(pool.all_ids)
    while len(queries) < (setting.n_query or 3):
        position = rng.randrange(total)
        instance = pool.all_ids[position]
        if instance in taken:
            continue
        taken.add(instance)
        queries.append(instance)
        label = pool.all_labels[position]
        labels.append(label if label in chosen else NOTA)
    return Episode(
        id=episode_id(seed, index),
        relations=tuple(relations),
        support=support,
        queries=tuple(queries),
        labels=tuple(labels),
    )


def sample_episodes(pool: SamplingPool, setting: EpisodeSetting, seed: int, n_episodes: int) -> list[Episode]:
    """Natural-NOTA episodes 0 .. n_episodes-1 of ``seed``."""
    check_enough_queries(pool, setting)
    return [sample_episode(pool, setting, seed, index) for index in range(n_episodes)]


def check_enough_queries(pool: SamplingPool, setting: EpisodeSetting) -> None:
    """Enough instances left after the supports for one episode's queries."""
    spare = len(pool.all_ids) - setting.n_way * setting.k_shot
    if spare < (setting.n_query or 3):
        raise DataError(
            f"setting {setting.name} (natural-nota): only {spare} instances are left after the supports "
            f"but {setting.n_query} queries are needed"
        )
