"""``proto-ft``: Proto-BERT style meta-training of the encoder on training-relation episodes.

The encoder (default MiniLM) reads entity-marked sentences; an episode's loss is cross-entropy
over scaled cosine similarities between queries and support prototypes of the start-marker
representation. TKRE meta-trains its pre-trained encoder with this very code (``meta_train``,
the same ``EpisodicBudget`` options, episodes and selection), so "proto-ft vs tkre" differs only
in TKRE's pre-training: TKRE spends its pre-training stages *on top of* proto-ft's budget, and
both record what each stage spent (optimizer steps, texts, tokens, wall time; meta
``extra.spent``), so nobody has to take a "matched budget" on trust. With
``select_dev_relations`` > 0 (default 4), a seeded subset of the training relations (whole
families by default, ``select_dev_split``) is held out for choosing the lr, the step count, the
fusion weight and the NOTA threshold (baselines/dev_selection.py); the evaluated encoder is then
trained on all the training relations with that choice (``select_refit``). ``proto-ft-desc``
fuses relation descriptions at inference, as proto-desc does, the control for ``tkre-desc``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from baselines.dev_selection import DevTuning, SelectionSpace, meta_train
from baselines.episodic_training import EpisodicBudget
from baselines.nota_calibration import NotaThreshold
from baselines.proto import MINILM_PARAMETERS, head_extra
from baselines.prototype_head import PrototypeHead, head_factory
from fsre_bench.cache import content_hash
from fsre_bench.encoders import Encoder, load_encoder
from fsre_bench.encoders.identity import resolve_encoder_path
from fsre_bench.errors import ConfigError
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.training.budget import spent
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta

__all__ = ["EpisodicBudget", "ProtoFinetunedMethod"]  # EpisodicBudget: its old home


class ProtoFinetunedMethod:
    """A prototype head over an encoder meta-trained on training-relation episodes (start-marker view)."""

    name = "proto-ft"

    def __init__(self, config: MethodConfig, fuse_descriptions: bool = False):
        self.config = config
        self.name = "proto-ft-desc" if fuse_descriptions else "proto-ft"
        base = load_encoder(config.encoder, device=config.device, batch_size=config.batch_size)
        # The backbone is the base encoder; the fine-tuned copy lives in the cache (its key is in meta.extra).
        self.base_backbone = base.name
        self.fuse_descriptions = fuse_descriptions
        # the trained encoder replaces the base one in fit / per K-shot split
        self.head = PrototypeHead(base, "marker-start", fuse_descriptions)
        self.nota = NotaThreshold.from_config(self.name, config)
        self.budget = EpisodicBudget.from_options(config.options)
        self.space = SelectionSpace.from_options(config.options)
        self.tuning = DevTuning(self.space, self._make_head(), config.seed)
        self._train_info: dict[str, Any] = {}
        self._fitted: list[dict[str, Any]] = []

    @property
    def meta(self) -> MethodMeta:
        fused = " + relation-description fusion" if self.fuse_descriptions else ""
        return MethodMeta(
            name=self.name, type="trained", backbone=self.base_backbone,
            parameters=MINILM_PARAMETERS if self.config.encoder is None else None,
            training_data=self._train_info.get("training_data"),
            training_relations=self._train_info.get("training_relations", []),
            description=f"Proto-BERT: episodic meta-training of the encoder with entity markers, then prototypes{fused}",
            extra={**head_extra(self.head, self.nota), "budget": asdict(self.budget), "training": self._train_info,
                   "spent": self._train_info.get("spent"), "model_selection": self._train_info.get("model_selection"),
                   "dev_tuning": self.tuning.record, "fuse_descriptions": self.fuse_descriptions},
        )

    def fit(self, train: Dataset | None) -> None:
        self.nota.train = train
        if self.config.option("protocol") == "kshot":
            return  # trained per split, on the split's own supports, in predict
        if train is None:
            raise ConfigError(f"{self.name} trains on training relations: give --train (e.g. --train semeval2010/train)")
        self._use_trained(train, f"{train.name}/{train.split}", self.space)

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        if data.protocol == "kshot":
            for episode in episodes:
                support_data = _dataset_from_supports(episode, data)
                # K-shot: the split's own supports are all there is to train on; no relation is held out
                self._use_trained(support_data, f"kshot:{episode.id}", SelectionSpace.from_options({"select_dev_relations": 0}))
                yield from self._predict_episodes([episode], data)
            return
        yield from self._predict_episodes(episodes, data)

    def close(self) -> None:
        return None

    def _predict_episodes(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        threshold = self.tuning.threshold(self.head, list(episodes), data, self.nota)
        yield from self.head.predict(episodes, data, threshold)

    def _make_head(self) -> Any:
        return head_factory("marker-start", self.fuse_descriptions, self.config.device, self.config.batch_size)

    def _use_trained(self, train: Dataset, name: str, space: SelectionSpace) -> None:
        base = resolve_encoder_path(self.config.encoder)
        trained = meta_train(train, self.budget, base, seed=self.config.seed, device=self.config.device, space=space,
                             make_head=self._make_head(), namespace="proto_ft",
                             key_parts=(train.source_sha256, sorted(train.by_id)))
        run = trained.run
        self.head = PrototypeHead(Encoder(str(run.path), device=self.config.device, batch_size=self.config.batch_size),
                                  "marker-start", self.fuse_descriptions)
        self.tuning.dev, self.tuning.encoder_dir = trained.dev, trained.tuning_dir
        self._train_info = {"training_data": name,
                            "training_relations": sorted(trained.trained_on or _relations_with_sentences(train)),
                            "encoder_dir": run.path.name, "trained_at": time.strftime("%Y-%m-%d"),
                            "spent": spent(meta_train=run.info["budget"]),
                            "selection_spent": run.info.get("selection_budget"),
                            "model_selection": run.info.get("model_selection")}
        self._fitted = trained.fitted("proto-ft encoder")

    def fitted_models(self) -> list[dict[str, Any]]:
        """The fine-tuned encoder this seed used (and the selection encoder that tuned it on the dev relations,
        when the evaluated one is a refit), with the harness state that trained each (None: unknown)."""
        return list(self._fitted)


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
