"""``proto-ft``: Proto-BERT style meta-training of the encoder on training-relation episodes.

The encoder (default MiniLM) reads entity-marked sentences; an episode's loss is cross-entropy
over scaled cosine similarities between queries and support prototypes of the start-marker
representation (the representation TKRE uses), so TKRE's gain over plain episodic fine-tuning
is measured at the same backbone and a matched budget. The trained encoder is cached by a hash
of (base encoder, training data, budget, seed) and then used frozen, like ``proto``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from baselines.nota_calibration import NotaThreshold
from baselines.proto import MINILM_PARAMETERS, head_extra
from baselines.prototype_head import PrototypeHead
from fsre_bench.cache import content_hash
from fsre_bench.encoders import Encoder, load_encoder
from fsre_bench.encoders.identity import encoder_identity, resolve_encoder_path
from fsre_bench.errors import ConfigError
from fsre_bench.methods.protocol import MethodConfig
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta


@dataclass(frozen=True)
class EpisodicBudget:
    """What proto-ft trains for; the defaults match TKRE's default pre-training budget in texts seen."""

    steps: int = 300
    n_way: int = 5
    k_shot: int = 2
    n_query: int = 1  # per relation: 5 x (2 + 1) = 15 texts a step, like TKRE's batch of 16
    lr: float = 5e-5
    scale: float = 10.0  # cosine -> logits
    max_length: int = 128

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> EpisodicBudget:
        given = {k.removeprefix("proto_ft_"): v for k, v in options.items() if k.startswith("proto_ft_") and v is not None}
        return cls(**given)


class ProtoFinetunedMethod:
    """A prototype head over an encoder meta-trained on training-relation episodes (start-marker view)."""

    name = "proto-ft"

    def __init__(self, config: MethodConfig):
        self.config = config
        base = load_encoder(config.encoder, device=config.device, batch_size=config.batch_size)
        # The backbone is the base encoder; the fine-tuned copy lives in the cache (its key is in meta.extra).
        self.base_backbone = base.name
        self.head = PrototypeHead(base, "marker-start")  # the trained encoder replaces it in fit / per K-shot split
        self.nota = NotaThreshold(self.name, config.option("nota_threshold"), config.seed)
        self.budget = EpisodicBudget.from_options(config.options)
        self._train_info: dict[str, Any] = {}
        self._fitted: list[dict[str, Any]] = []

    @property
    def meta(self) -> MethodMeta:
        return MethodMeta(
            name=self.name, type="trained", backbone=self.base_backbone,
            parameters=MINILM_PARAMETERS if self.config.encoder is None else None,
            training_data=self._train_info.get("training_data"),
            training_relations=self._train_info.get("training_relations", []),
            description="Proto-BERT: episodic meta-training of the encoder with entity markers, then prototypes",
            extra={**head_extra(self.head, self.nota), "budget": asdict(self.budget), "training": self._train_info},
        )

    def fit(self, train: Dataset | None) -> None:
        self.nota.train = train
        if self.config.option("protocol") == "kshot":
            return  # trained per split, on the split's own supports, in predict
        if train is None:
            raise ConfigError("proto-ft trains on training relations: give --train (e.g. --train semeval2010/train)")
        self._use_trained(train, _all_ids(train), f"{train.name}/{train.split}")

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        if data.protocol == "kshot":
            for episode in episodes:
                support_data = _dataset_from_supports(episode, data)
                self._use_trained(support_data, _all_ids(support_data), f"kshot:{episode.id}")
                yield from self._predict_episodes([episode], data)
            return
        yield from self._predict_episodes(episodes, data)

    def close(self) -> None:
        return None

    def _predict_episodes(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        threshold = self.nota.for_episodes(self.head, list(episodes), data)
        yield from self.head.predict(episodes, data, threshold)

    def _use_trained(self, train: Dataset, ids: list[str], name: str) -> None:
        from fsre_bench.training import saved_encoder_dir, saved_encoder_info

        base = resolve_encoder_path(self.config.encoder)
        key = content_hash("proto-ft/1", encoder_identity(base), train.source_sha256, ids, asdict(self.budget),
                           self.config.seed)
        path = saved_encoder_dir("proto_ft", key)
        reused = path is not None
        if path is None:
            from baselines.episodic_training import train_episodic

            path = train_episodic(train, self.budget, base, key, seed=self.config.seed, device=self.config.device).path
        self.head = PrototypeHead(Encoder(str(path), device=self.config.device, batch_size=self.config.batch_size),
                                  "marker-start")
        self._train_info = {"training_data": name, "training_relations": _relations_with_sentences(train),
                            "encoder_dir_key": key, "trained_at": time.strftime("%Y-%m-%d")}
        self._fitted = [{"kind": "proto-ft encoder", "cache_key": key, "reused": reused,
                         "produced_by": saved_encoder_info(path).get("harness")}]

    def fitted_models(self) -> list[dict[str, Any]]:
        """The fine-tuned encoder this seed used, and the harness state that trained it (None: unknown)."""
        return list(self._fitted)


def _all_ids(dataset: Dataset) -> list[str]:
    return sorted(dataset.by_id)


def _dataset_from_supports(episode: Episode, data: EpisodeData) -> Dataset:
    """The K-shot train split as a Dataset, so the same episodic trainer can sample from it."""
    instances = {r: tuple(data.instances[i] for i in ids) for r, ids in zip(episode.relations, episode.support, strict=True)
                 if ids}
    return Dataset(name="kshot-support", split=episode.id, relations={r: data.relations[r] for r in instances},
                   instances=instances, source_sha256=content_hash(episode.id, sorted(i for g in episode.support for i in g)),
                   negative_label=data.negative_label)


def _relations_with_sentences(train: Dataset) -> list[str]:
    """Relations the encoder actually saw sentences of (a label listed with none was never seen)."""
    return sorted(r for r in train.positive_relations if train.instances.get(r))
