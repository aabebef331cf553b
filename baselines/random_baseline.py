"""The floor: a uniformly random label among the episode's options."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from fsre_bench.methods.interface import MethodConfig
from fsre_bench.types import NOTA, Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta


class RandomMethod:
    """Uniform over the episode's relations (plus NOTA where the setting has it)."""

    name = "random"

    def __init__(self, config: MethodConfig):
        self.config = config

    @property
    def meta(self) -> MethodMeta:
        return MethodMeta(name=self.name, type="floor", description="uniform over the episode's labels")

    def fit(self, train: Dataset | None) -> None:
        return None

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        for episode in episodes:
            # Seeded per episode (not per stream) so a resumed run draws the same labels.
            rng = random.Random(f"{self.config.seed}:{episode.id}")
            options = list(episode.relations) + ([NOTA] if data.has_nota else [])
            yield EpisodePrediction(episode.id, tuple(rng.choice(options) for _ in episode.queries))

    def close(self) -> None:
        return None
