"""A NOTA threshold for score-based methods, calibrated on training relations (never on test queries).

Episodes with the evaluation's N and K and half NOTA queries are sampled from the training split;
the threshold maximising accuracy there is used unchanged on the evaluation episodes.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from baselines.prototypes import best_nota_threshold
from fsre_bench.errors import ConfigError
from fsre_bench.types import NOTA, Dataset, Episode, EpisodeData

CALIBRATION_EPISODES = 200
CALIBRATION_NA_RATE = 0.5
CALIBRATION_QUERIES = 2


class ScoringMethod(Protocol):
    def prepare(self, episodes: list[Episode], data: EpisodeData) -> dict[str, Any]: ...

    def episode_scores(self, episode: Episode, features: dict[str, Any]) -> np.ndarray: ...


def calibrate_nota_threshold(method: ScoringMethod, train: Dataset, *, seed: int,
                             n_way: int = 5, k_shot: int = 1) -> float:
    """Best accuracy threshold on NOTA episodes sampled from ``train`` (N, K as the evaluation uses)."""
    from fsre_bench.episodes import EpisodeSetting, build_episodes

    if len(train.positive_relations) <= n_way:
        raise ConfigError(f"NOTA calibration needs more than {n_way} training relations; "
                          f"{train.name}/{train.split} has {len(train.positive_relations)}")
    setting = EpisodeSetting(n_way=n_way, k_shot=k_shot, n_query=CALIBRATION_QUERIES, na_rate=CALIBRATION_NA_RATE)
    # An offset seed keeps calibration episodes independent of any evaluation stream.
    episodes = build_episodes(train, protocol="episodic", setting=setting, seed=10_000 + seed,
                              n_episodes=CALIBRATION_EPISODES, small_relations="skip")
    train_data = EpisodeData(instances=train.by_id, relations=train.relations, has_nota=True,
                             dataset_name=train.name)
    features = method.prepare(episodes, train_data)
    tops, correct, nota = [], [], []
    for episode in episodes:
        scores = method.episode_scores(episode, features)
        best = scores.argmax(axis=1)
        tops.extend(scores.max(axis=1))
        correct.extend(episode.relations[b] == gold for b, gold in zip(best, episode.labels, strict=True))
        nota.extend(gold == NOTA for gold in episode.labels)
    return best_nota_threshold(np.array(tops), np.array(correct), np.array(nota))
