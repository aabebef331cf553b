"""``build_episodes``: the one entry point that builds any protocol's episodes, with their file header.

Episodic N-way (NOTA and codalab included), natural-NOTA and K-shot splits all come from here: the
runner, ``episodes build/export``, ``verify``'s rebuild, scoring of outside predictions and the
baselines' training episodes call it, so no two callers can disagree on what a protocol, K or seed
means. The episodes come as a stream: N-way episodes are each a function of (seed, index), so a run
writes them to its file with memory flat in n_episodes (``list()`` it for a list). Every check is made
before the first episode.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from fsre_bench.episodes import episodic, natural_nota
from fsre_bench.episodes.codalab import codalab_episodes
from fsre_bench.episodes.files import episode_file_header, kshot_file_header
from fsre_bench.episodes.kshot import limit_queries, sample_kshot_split
from fsre_bench.episodes.pools import make_pool
from fsre_bench.episodes.setting import PROTOCOLS, SAMPLERS, EpisodeSetting
from fsre_bench.errors import ConfigError
from fsre_bench.types import Dataset, Episode


class BuiltEpisodes(NamedTuple):
    """The episodes of one (setting, seed), read once as a stream, and the header of their file."""

    episodes: Iterator[Episode]
    header: dict[str, Any]


def build_episodes(
    evaluation: Dataset,
    *,
    protocol: str,
    seed: int,
    setting: EpisodeSetting | None = None,
    n_episodes: int = 1,
    sampler: str = "default",
    small_relations: str = "error",
    support_pool: Dataset | None = None,
    k: int | None = None,
    query_limit: int | None = None,
) -> BuiltEpisodes:
    """Episodes of ``seed`` on ``evaluation`` and their header.

    N-way protocols ("episodic", "natural-nota"): episodes 0 .. n_episodes-1 of ``setting``
    (``setting.n_query`` None takes the protocol default; ``small_relations`` "skip" leaves out
    relations with too few instances instead of failing: for training and dev episodes that are never
    written, as the header does not record it). "kshot": one split of ``support_pool``
    (K = ``k`` per label) queried on ``evaluation``, optionally cut to ``query_limit`` test queries.
    """
    check_request(protocol, sampler, n_episodes, setting=setting, support_pool=support_pool, k=k)
    if protocol == "kshot":
        assert support_pool is not None and k is not None  # check_request refused the rest
        return _kshot_split(support_pool, evaluation, k=k, seed=seed, query_limit=query_limit)
    assert setting is not None
    header = episode_file_header(evaluation, protocol=protocol, setting=setting, seed=seed, n_episodes=n_episodes,
                                 sampler=sampler)
    return BuiltEpisodes(_nway_episodes(evaluation, protocol, setting.resolved(protocol, sampler), seed, n_episodes,
                                        sampler, small_relations), header)


def check_request(protocol: str, sampler: str, n_episodes: int, *, setting: EpisodeSetting | None = None,
                  support_pool: Dataset | None = None, k: int | None = None) -> None:
    """Fail early on an unknown protocol / sampler, a bad episode count or a request its protocol cannot take."""
    if protocol not in PROTOCOLS:
        raise ConfigError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
    if sampler not in SAMPLERS:
        raise ConfigError(f"unknown sampler {sampler!r}; use one of {', '.join(SAMPLERS)}")
    if sampler == "codalab" and protocol != "episodic":
        raise ConfigError(
            "the codalab sampler reproduces the FewRel test stream: protocol must be 'episodic'"
        )
    if n_episodes < 1:
        raise ConfigError(f"n_episodes must be at least 1, got {n_episodes}")
    if protocol == "kshot":
        if support_pool is None or k is None:
            raise ConfigError("a K-shot split needs the support pool (the train split) and K")
        return
    if setting is None:
        raise ConfigError(f"protocol {protocol!r} needs an N-way K-shot setting")
    if protocol == "natural-nota" and setting.na_rate:
        raise ConfigError(
            f"setting {setting.resolved(protocol, sampler).name}: natural-nota episodes take their NOTA share "
            "from the data; drop na_rate"
        )


def _kshot_split(support_pool: Dataset, evaluation: Dataset, *, k: int, seed: int,
                 query_limit: int | None) -> BuiltEpisodes:
    split = sample_kshot_split(support_pool, evaluation, k=k, seed=seed)
    if query_limit:
        split = limit_queries(split, query_limit)
    return BuiltEpisodes(iter([split]), kshot_file_header(support_pool, evaluation, split, k=k, seed=seed))


def _nway_episodes(dataset: Dataset, protocol: str, setting: EpisodeSetting, seed: int, n_episodes: int,
                   sampler: str, small_relations: str) -> Iterator[Episode]:
    """The episode stream; the pool and its NOTA / query checks are made here, before the first episode."""
    if sampler == "codalab":  # one sequential stream, not per-index: built whole
        return iter(codalab_episodes(dataset, setting, seed, n_episodes))
    pool = make_pool(dataset, setting, protocol, small_relations)
    if protocol == "natural-nota":
        natural_nota.check_enough_queries(pool, setting)
        sample = natural_nota.sample_episode
    else:
        episodic.check_nota_possible(pool, setting, n_episodes)
        sample = episodic.sample_episode
    return (sample(pool, setting, seed, index) for index in range(n_episodes))
