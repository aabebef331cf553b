"""N-way episodes (protocols ``episodic`` and ``natural-nota``), one (seed, index) at a time.

``iter_episodes`` is what the runner and ``episodes build`` stream to an episode file; ``build_episodes``
is the same list built whole. K-shot splits, and a whole (setting, seed) with its file header, are
``build_episode_set`` (episode_set.py), which calls this module for N-way settings: every episode of any
protocol comes from these two modules, and an N-way episode only from ``iter_episodes``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fsre_bench.episodes import episodic, natural_nota
from fsre_bench.episodes.codalab import codalab_episodes
from fsre_bench.episodes.pools import make_pool
from fsre_bench.episodes.setting import PROTOCOLS, SAMPLERS, EpisodeSetting
from fsre_bench.errors import ConfigError
from fsre_bench.types import Dataset, Episode


def check_request(protocol: str, sampler: str, n_episodes: int) -> None:
    """Fail early on an unknown protocol / sampler or a bad episode count."""
    if protocol not in PROTOCOLS:
        raise ConfigError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")
    if protocol == "kshot":
        raise ConfigError(
            "protocol 'kshot' builds one split per seed: call sample_kshot_split(train, test, k, seed)"
        )
    if sampler not in SAMPLERS:
        raise ConfigError(f"unknown sampler {sampler!r}; use one of {', '.join(SAMPLERS)}")
    if sampler == "codalab" and protocol != "episodic":
        raise ConfigError(
            "the codalab sampler reproduces the FewRel test stream: protocol must be 'episodic'"
        )
    if n_episodes < 1:
        raise ConfigError(f"n_episodes must be at least 1, got {n_episodes}")


def build_episodes(
    dataset: Dataset,
    *,
    protocol: str,
    setting: EpisodeSetting,
    seed: int,
    n_episodes: int,
    sampler: str = "default",
    small_relations: str = "error",
) -> list[Episode]:
    """Episodes 0 .. n_episodes-1 of ``seed`` on ``dataset`` ("episodic" or "natural-nota").

    ``setting.n_query`` None takes the protocol default (see ``setting``); ``small_relations``
    "skip" leaves out relations with too few instances instead of failing.
    """
    return list(iter_episodes(dataset, protocol=protocol, setting=setting, seed=seed, n_episodes=n_episodes,
                              sampler=sampler, small_relations=small_relations))


def iter_episodes(
    dataset: Dataset,
    *,
    protocol: str,
    setting: EpisodeSetting,
    seed: int,
    n_episodes: int,
    sampler: str = "default",
    small_relations: str = "error",
) -> Iterator[Episode]:
    """``build_episodes`` one episode at a time (every check made before the first): each episode is a
    function of (seed, index), so a run streams them to its episode file with memory flat in n_episodes."""
    check_request(protocol, sampler, n_episodes)
    setting = setting.resolved(protocol, sampler)
    if sampler == "codalab":  # one sequential stream, not per-index: built whole
        return iter(codalab_episodes(dataset, setting, seed, n_episodes))
    if protocol == "natural-nota" and setting.na_rate:
        raise ConfigError(
            f"setting {setting.name}: natural-nota episodes take their NOTA share from the data; drop na_rate"
        )
    pool = make_pool(dataset, setting, protocol, small_relations)
    if protocol == "natural-nota":
        natural_nota.check_enough_queries(pool, setting)
        sample = natural_nota.sample_episode
    else:
        episodic.check_nota_possible(pool, setting, n_episodes)
        sample = episodic.sample_episode
    return (sample(pool, setting, seed, index) for index in range(n_episodes))
