"""``PrototypeHead``: nearest-prototype scoring over one encoder, held by proto, proto-desc, proto-ft and TKRE.

The encoder/model split of OpenNRE: a method owns (or trains) an encoder and hands it to a head;
the head embeds all unique instances of all episodes in one pass, then scores each episode with a
few small matrix products. ``fuse_descriptions`` adds proto-desc's sentence view, whose prototype is
fused with the relation's "name: description" embedding (SimpleFSRE adds the relation
representation to the prototype): score = cos(entity view) + w * cos(sentence view), w =
``fusion_weight`` (1 for proto-desc; proto-ft and TKRE choose it on held-out training relations).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from baselines.prototypes import cosine_scores, decide, normalize_rows, prototypes, support_matrix
from fsre_bench.types import Episode, EpisodeData, EpisodePrediction


class PrototypeHead:
    """Cosine to prototypes of ``representation`` vectors of ``encoder``; optionally fused with descriptions."""

    def __init__(self, encoder: Any, representation: str, fuse_descriptions: bool = False, fusion_weight: float = 1.0):
        self.encoder = encoder
        self.representation = representation
        self.fuse_descriptions = fuse_descriptions
        self.fusion_weight = fusion_weight

    def predict(self, episodes: Sequence[Episode], data: EpisodeData,
                nota_threshold: float | None) -> Iterator[EpisodePrediction]:
        features = self.prepare(episodes, data)
        for episode in episodes:
            yield EpisodePrediction(episode.id, decide(self.episode_scores(episode, features), episode, nota_threshold))

    def prepare(self, episodes: Sequence[Episode], data: EpisodeData) -> dict[str, Any]:
        """Everything ``episode_scores`` needs, computed once for all episodes (one encoding pass per view)."""
        ids = list(dict.fromkeys(i for ep in episodes for i in (*_flat(ep.support), *ep.queries)))
        rows = self.encoder.embed_instances(data.get(ids), self.representation)
        parts = 1 if self.representation == "marker-mean" else 2
        features: dict[str, Any] = {"entity": dict(zip(ids, normalize_rows(rows, parts), strict=True))}
        if self.fuse_descriptions:
            features["sentence"] = dict(zip(ids, self.encoder.embed_instances(data.get(ids), "marker-mean"), strict=True))
            relation_ids = list(dict.fromkeys(r for ep in episodes for r in ep.relations))
            texts = [relation_text(data, r) for r in relation_ids]
            features["description"] = dict(zip(relation_ids, self.encoder.embed_texts(texts), strict=True))
        return features

    def episode_scores(self, episode: Episode, features: dict[str, Any]) -> np.ndarray:
        """(Q, N) scores of the episode's queries against its relations."""
        scores = _view_scores(features["entity"], episode)
        if not self.fuse_descriptions:
            return scores
        sentences = features["sentence"]
        queries = np.stack([sentences[i] for i in episode.queries])
        support_means = prototypes([support_matrix(sentences, ids, queries.shape[1]) for ids in episode.support])
        # A relation without supports still has its description: the sentence view can name it.
        descriptions = np.stack([features["description"][r] for r in episode.relations])
        fused = cosine_scores(queries, np.nan_to_num(normalize_rows(support_means)) + descriptions)
        return scores + self.fusion_weight * fused


def head_factory(representation: str, fuse_descriptions: bool, device: str = "cpu",
                 batch_size: int = 64) -> Any:
    """``make_head(encoder_dir, fusion_weight)`` for model selection: a head over a saved encoder, no disk cache."""
    from fsre_bench.encoders import Encoder

    def make_head(encoder_dir: Any, fusion_weight: float) -> PrototypeHead:
        encoder = Encoder(str(encoder_dir), device=device, batch_size=batch_size, use_disk_cache=False)
        return PrototypeHead(encoder, representation, fuse_descriptions and fusion_weight > 0, fusion_weight)

    return make_head


def _view_scores(vectors: dict[str, np.ndarray], episode: Episode) -> np.ndarray:
    queries = np.stack([vectors[i] for i in episode.queries])
    support = [support_matrix(vectors, ids, queries.shape[1]) for ids in episode.support]
    return cosine_scores(queries, prototypes(support))


def relation_text(data: EpisodeData, relation_id: str) -> str:
    """"name: description" where the dataset has them, else the readable label."""
    relation = data.relations.get(relation_id)
    if relation is None:
        return relation_id
    return f"{relation.name}: {relation.description}" if relation.description else relation.name


def _flat(groups: Sequence[Sequence[str]]) -> list[str]:
    return [i for group in groups for i in group]
