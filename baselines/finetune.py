"""``finetune``: the papers' "Fine-tuning" row for K-shot RC, the control TKRE's K-shot gain is measured against.

The same MarkerClassifier head, budget (``ClassifierBudget`` defaults, the ones TKRE's
``tkre_finetune_*`` settings start from) and model selection on the K-shot dev set as TKRE's
K-shot step (fsre_bench/training/classifier.py), on the base encoder: no pre-training, no
knowledge. ``finetune-synth`` (``synthetic=True``) adds exactly the SCDG instances TKRE adds
(same artifact, same seed, read through TKRE's ``--knowledge`` / ``tkre_synthetic_*`` settings),
so "tkre vs finetune-synth" isolates the two-stage pre-training and "finetune-synth vs finetune"
the synthetic data.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterator, Sequence
from typing import Any

from fsre_bench.encoders import DEFAULT_ENCODER
from fsre_bench.errors import ConfigError
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.training.budget import spent
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta, RelationInstance

_MINILM_PARAMETERS = 22_713_216  # all-MiniLM-L6-v2 (the same count proto reports)


class FinetuneMethod:
    """Fine-tune the base encoder + classifier head on the K-shot train set (+ synthetic with ``synthetic``)."""

    name = "finetune"

    def __init__(self, config: MethodConfig, synthetic: bool = False):
        from baselines.specs import FINETUNE, MATCH_STEPS
        from fsre_bench.methods.options import options_dataclass
        from fsre_bench.training.classifier import ClassifierBudget

        self.config = config
        self.synthetic = synthetic
        self.name = "finetune-synth" if synthetic else "finetune"
        self.budget = options_dataclass(ClassifierBudget, config.options, "finetune_", FINETUNE.options)
        self._tkre_settings: Any = None
        self._llm: Any = None
        self.match_steps = (config.options.get("match_steps") or MATCH_STEPS.default) if synthetic else "none"
        if synthetic:
            from tkre.settings import TKRESettings, llm_config_for

            self._tkre_settings = TKRESettings.from_options(config.options)
            self._llm = llm_config_for(config.options, self._tkre_settings)
        self._trained: dict[str, Any] = {}

    @property
    def meta(self) -> MethodMeta:
        trained = self._trained
        what = " + the SCDG synthetic examples TKRE adds" if self.synthetic else ""
        return MethodMeta(
            name=self.name, type="trained", backbone=self.config.encoder or DEFAULT_ENCODER,
            parameters=_MINILM_PARAMETERS if self.config.encoder is None else None,
            training_data=trained.get("training_data"), training_relations=trained.get("training_relations", []),
            knowledge_source=trained.get("knowledge_source"),
            description=f"base encoder + MarkerClassifier head fine-tuned on the K-shot train set{what}, "
                        "best epoch on the K-shot dev set",
            extra={"budget": self.budget.to_dict(), "finetune": trained.get("finetune"),
                   "spent": spent(classifier=(trained.get("finetune") or {}).get("budget")),
                   "synthetic": trained.get("synthetic"), "step_timing_s": trained.get("timing", {}),
                   "kshot_steps": trained.get("kshot_steps"), "step_match": trained.get("step_match")},
        )

    def fit(self, train: Dataset | None) -> None:
        if self.config.option("protocol") != "kshot":
            raise ConfigError(f"{self.name} is a K-shot RC method (--protocol kshot); for episodes use proto-ft")

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        if data.protocol != "kshot":
            raise ConfigError(f"{self.name} is a K-shot RC method (--protocol kshot); for episodes use proto-ft")
        for episode in episodes:
            yield self._predict_split(episode, data)

    def close(self) -> None:
        if self._tkre_settings is not None and self._tkre_settings.knowledge == "llm":
            from fsre_bench.llm import stop_managed_servers

            stop_managed_servers()

    def _predict_split(self, episode: Episode, data: EpisodeData) -> EpisodePrediction:
        from fsre_bench.training.classifier import classify, finetune_classifier

        supports = [data.instances[i] for group in episode.support for i in group]
        dev = [data.instances[i] for group in (episode.dev or ()) for i in group]
        synthetic = self._synthetic(supports, data, episode) if self.synthetic else []
        train = [*supports, *synthetic]
        budget = self._matched_budget(supports, len(train), data, episode) if self.match_steps == "tkre" else self.budget
        fitted = finetune_classifier(self.config.encoder, train, dev, list(episode.relations),
                                     settings=budget, seed=self.config.seed,
                                     negative_label=data.negative_label, device=self.config.device)
        started = time.perf_counter()
        labels = classify(fitted, data.get(episode.queries), budget, self.config.device)
        self._trained.update(
            kshot_steps={"classifier": fitted.info["steps"], "total": fitted.info["steps"]},
            training_data=f"kshot:{episode.id}", finetune={**fitted.info, "synthetic_examples": len(synthetic)},
            training_relations=sorted({inst.label for inst in supports if inst.label != data.negative_label}),
            timing={"finetune_s": fitted.info["wall_s"], "test_s": round(time.perf_counter() - started, 2)},
        )
        return EpisodePrediction(episode.id, tuple(labels))

    def _matched_budget(self, supports: list[RelationInstance], train_size: int, data: EpisodeData,
                        episode: Episode) -> Any:
        """This budget with exactly tkre's step count on the split (epochs raised to reach it, capped there)."""
        from tkre.kshot_steps import tkre_kshot_steps

        target = tkre_kshot_steps(self.config.options, supports, data, episode.id, seed=self.config.seed,
                                  device=self.config.device, encoder=self.config.encoder)
        self._trained["step_match"] = {"to": "tkre", "tkre_steps": target}
        per_epoch = math.ceil(train_size / self.budget.batch_size)
        return dataclasses.replace(self.budget, epochs=math.ceil(target["total"] / per_epoch),
                                   max_steps=target["total"])

    def _synthetic(self, supports: list[RelationInstance], data: EpisodeData, episode: Episode) -> list[RelationInstance]:
        from tkre.pretraining_texts import knowledge_instances, synthetic_instances

        settings = self._tkre_settings
        instances = knowledge_instances(supports, data.negative_label, settings.max_relations)
        synthetic, info = synthetic_instances(instances, data.relations, settings=settings, llm=self._llm,
                                              dataset=f"kshot:{episode.id}", entity_types=data.entity_types,
                                              seed=self.config.seed)
        self._trained.update(synthetic=info, knowledge_source=info["source"])
        return synthetic
