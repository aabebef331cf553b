"""``build_episode_set``: the episodes of one (setting, seed) built whole, with their file header.

K-shot splits come only from here (the runner, ``episodes build`` and ``verify``'s rebuild call it), so
they never disagree on what a K and seed mean; N-way settings go through ``build.iter_episodes``, which
the runner streams directly for long runs.
"""

from __future__ import annotations

from dataclasses import replace

from fsre_bench.episodes.build import build_episodes
from fsre_bench.episodes.files import episode_file_header, kshot_file_header
from fsre_bench.episodes.kshot import sample_kshot_split
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.types import Dataset, Episode


def kshot_dataset_names(dataset: str) -> tuple[str, str]:
    """K-shot RC draws supports from the group's train split and queries from its test split."""
    group = dataset.split("/")[0]
    return f"{group}/train", f"{group}/test"


def build_episode_set(
    evaluation: Dataset,
    *,
    protocol: str,
    seed: int,
    setting: EpisodeSetting | None = None,
    n_episodes: int = 1,
    sampler: str = "default",
    support_pool: Dataset | None = None,
    k: int | None = None,
    query_limit: int | None = None,
) -> tuple[list[Episode], dict]:
    """(episodes, header). K-shot: one split of ``support_pool`` (K per label) queried on ``evaluation``,
    optionally cut to ``query_limit`` test queries; otherwise ``n_episodes`` of ``setting``."""
    if protocol == "kshot":
        if support_pool is None or k is None:
            raise ValueError("a K-shot episode set needs the support pool (the train split) and K")
        split = sample_kshot_split(support_pool, evaluation, k=k, seed=seed)
        if query_limit:
            split = limit_queries(split, query_limit)
        return [split], kshot_file_header(support_pool, evaluation, split, k=k, seed=seed)
    if setting is None:
        raise ValueError(f"protocol {protocol!r} needs an N-way K-shot setting")
    episodes = build_episodes(evaluation, protocol=protocol, setting=setting, seed=seed, n_episodes=n_episodes,
                              sampler=sampler)
    header = episode_file_header(evaluation, protocol=protocol, setting=setting, seed=seed, n_episodes=n_episodes,
                                 sampler=sampler)
    return episodes, header


def limit_queries(split: Episode, limit: int) -> Episode:
    """The first ``limit`` test queries of one fixed shuffle (test files may be sorted by label).

    The shuffle is the same for every seed and K, so limited runs stay comparable and a smaller
    limit is a subset of a larger one.
    """
    import random

    order = list(range(len(split.queries)))
    random.Random(0).shuffle(order)
    keep = sorted(order[:limit])
    return replace(split, queries=tuple(split.queries[i] for i in keep), labels=tuple(split.labels[i] for i in keep))
