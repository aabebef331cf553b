"""A NOTA threshold for score-based methods, calibrated on training relations (never on test queries).

Episodes with the evaluation's N and K and half NOTA queries are sampled from the training split;
the threshold maximising accuracy there is used unchanged on the evaluation episodes.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from baselines import specs
from baselines.prototypes import best_nota_threshold
from fsre_bench.errors import ConfigError
from fsre_bench.methods.interface import MethodConfig
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
    episodes = list(build_episodes(train, protocol="episodic", setting=setting, seed=10_000 + seed,
                                   n_episodes=CALIBRATION_EPISODES, small_relations="skip").episodes)
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


class NotaThreshold:
    """A method's NOTA threshold: the fixed ``--nota-threshold``, or one calibrated per (N, K) on ``train``."""

    def __init__(self, method_name: str, fixed: float | None, seed: int):
        self.method_name, self.fixed, self.seed = method_name, fixed, seed
        self.train: Dataset | None = None  # training relations, set by the method's fit
        self.value: float | None = fixed  # the threshold last used (reported in the method's meta)
        self._calibrated: dict[tuple[int, int], float] = {}

    @classmethod
    def from_config(cls, method_name: str, config: MethodConfig) -> NotaThreshold:
        """The method's threshold as its declared ``nota_threshold`` option says (its default stated there only)."""
        option = specs.NOTA_THRESHOLD  # looked up when built: a changed declaration is what every method reads
        return cls(method_name, config.option(option.name, option.default), config.seed)

    def for_episodes(self, head: ScoringMethod, episodes: list[Episode], data: EpisodeData) -> float | None:
        """None without NOTA queries; otherwise the fixed value or the calibrated one (a missing --train fails)."""
        if not data.has_nota:
            return None
        if self.fixed is not None:
            return self.fixed
        if self.train is None:
            raise ConfigError(
                f"{self.method_name}: this setting has NOTA queries; give --train DATASET (training relations) to "
                "calibrate the NOTA threshold, or --nota-threshold VALUE"
            )
        shape = (episodes[0].n_way, len(episodes[0].support[0]))
        if shape not in self._calibrated:
            self._calibrated[shape] = calibrate_nota_threshold(head, self.train, seed=self.seed, n_way=shape[0],
                                                               k_shot=shape[1])
        self.value = self._calibrated[shape]
        return self.value
