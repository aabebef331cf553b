"""Prototypical networks over a frozen encoder: ``proto`` and ``proto-desc`` (SimpleFSRE-style).

All unique instances of all episodes are embedded in one pass (the encoder caches in memory and
on disk), then each episode is a few small matrix products: encoding, not episodes, is the cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from baselines.prototypes import cosine_scores, decide, normalize_rows, prototypes, support_matrix
from fsre_bench.encoders import load_encoder
from fsre_bench.errors import ConfigError
from fsre_bench.methods.protocol import MethodConfig
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta

# Chosen on the development split fewrel/val_semeval 5-1, never on val_wiki (benchmarks/README.md,
# "Proto representation study"): the best frozen view there by 7.5 points.
DEFAULT_REPRESENTATION = "entity-pool"


class ProtoMethod:
    """Nearest prototype (cosine) of entity-aware frozen-encoder representations."""

    name = "proto"

    def __init__(self, config: MethodConfig):
        self.config = config
        self.representation = config.option("proto_representation", DEFAULT_REPRESENTATION)
        self.encoder = load_encoder(config.encoder, device=config.device, batch_size=config.batch_size)
        self.nota_threshold: float | None = config.option("nota_threshold")
        self._calibrated: dict[tuple[int, int], float] = {}  # (N, K) -> threshold from training relations
        self._train: Dataset | None = None

    @property
    def meta(self) -> MethodMeta:
        return MethodMeta(
            name=self.name,
            type="metric",
            backbone=self.encoder.name,
            parameters=_MINILM_PARAMETERS if self.config.encoder is None else None,
            description=f"frozen encoder, {self.representation} representation, cosine to prototypes",
            extra={"representation": self.representation, "encoder_identity": self.encoder.identity,
                   "nota_threshold": self.nota_threshold, "encoder_stats": self.encoder.stats.as_dict()},
        )

    def fit(self, train: Dataset | None) -> None:
        """Frozen: nothing to train. Training relations are kept only to calibrate a NOTA threshold."""
        self._train = train

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        threshold = self._threshold_for(episodes, data)  # first: a missing --train fails before any encoding
        features = self.prepare(episodes, data)
        for episode in episodes:
            yield EpisodePrediction(episode.id, decide(self.episode_scores(episode, features), episode, threshold))

    def prepare(self, episodes: Sequence[Episode], data: EpisodeData) -> dict[str, Any]:
        """Everything ``episode_scores`` needs, computed once for all episodes (one encoding pass)."""
        ids = list(dict.fromkeys(i for ep in episodes for i in (*_flat(ep.support), *ep.queries)))
        rows = self.encoder.embed_instances(data.get(ids), self.representation)
        parts = 1 if self.representation == "marker-mean" else 2
        return {"entity": dict(zip(ids, normalize_rows(rows, parts), strict=True))}

    def episode_scores(self, episode: Episode, features: dict[str, Any]) -> np.ndarray:
        """(Q, N) scores of the episode's queries against its relations."""
        vectors = features["entity"]
        queries = np.stack([vectors[i] for i in episode.queries])
        support = [support_matrix(vectors, ids, queries.shape[1]) for ids in episode.support]
        return cosine_scores(queries, prototypes(support))

    def close(self) -> None:
        return None

    # ------------------------------------------------------------------ helpers
    def _threshold_for(self, episodes: Sequence[Episode], data: EpisodeData) -> float | None:
        if not data.has_nota:
            return None
        if self.config.option("nota_threshold") is not None:
            return self.nota_threshold
        if self._train is None:
            raise ConfigError(
                f"{self.name}: this setting has NOTA queries; give --train DATASET (training relations) to "
                "calibrate the NOTA threshold, or --nota-threshold VALUE"
            )
        from baselines.nota_calibration import calibrate_nota_threshold

        shape = (episodes[0].n_way, len(episodes[0].support[0]))
        if shape not in self._calibrated:
            self._calibrated[shape] = calibrate_nota_threshold(self, self._train, seed=self.config.seed,
                                                               n_way=shape[0], k_shot=shape[1])
        self.nota_threshold = self._calibrated[shape]
        return self.nota_threshold


class ProtoDescMethod(ProtoMethod):
    """``proto`` plus a sentence-level view whose prototype is fused with the relation's description.

    score = cos(entity view) + cos(sentence view), where the sentence-view prototype is
    normalise(mean of support sentence embeddings + embedding of "name: description"), as
    SimpleFSRE adds the relation representation to the prototype.
    """

    name = "proto-desc"

    @property
    def meta(self) -> MethodMeta:
        meta = super().meta
        meta.description = "proto + sentence view with prototypes fused with relation name/description"
        return meta

    def prepare(self, episodes: Sequence[Episode], data: EpisodeData) -> dict[str, Any]:
        features = super().prepare(episodes, data)
        ids = list(features["entity"])
        features["sentence"] = dict(zip(ids, self.encoder.embed_instances(data.get(ids), "marker-mean"), strict=True))
        relation_ids = list(dict.fromkeys(r for ep in episodes for r in ep.relations))
        texts = [relation_text(data, r) for r in relation_ids]
        features["description"] = dict(zip(relation_ids, self.encoder.embed_texts(texts), strict=True))
        return features

    def episode_scores(self, episode: Episode, features: dict[str, Any]) -> np.ndarray:
        entity_view = super().episode_scores(episode, features)
        sentences = features["sentence"]
        queries = np.stack([sentences[i] for i in episode.queries])
        support_means = prototypes([support_matrix(sentences, ids, queries.shape[1]) for ids in episode.support])
        # A relation without supports still has its description: the sentence view can name it.
        descriptions = np.stack([features["description"][r] for r in episode.relations])
        return entity_view + cosine_scores(queries, np.nan_to_num(normalize_rows(support_means)) + descriptions)


def relation_text(data: EpisodeData, relation_id: str) -> str:
    """"name: description" where the dataset has them, else the readable label."""
    relation = data.relations.get(relation_id)
    if relation is None:
        return relation_id
    return f"{relation.name}: {relation.description}" if relation.description else relation.name


def _flat(groups: Sequence[Sequence[str]]) -> list[str]:
    return [i for group in groups for i in group]


_MINILM_PARAMETERS = 22_713_216  # all-MiniLM-L6-v2, counted with Encoder.parameter_count()
