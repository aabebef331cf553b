"""TKRE as a Method: knowledge for the training relations -> two-stage pre-training -> few-shot inference.

Episodic (FewRel style, ``--train`` given): knowledge and pre-training use the training split's
relations only (the runner refuses a --train that shares relations with the evaluation split);
episodes are then answered by prototypes of start-marker representations of the pre-trained
encoder, with a NOTA threshold calibrated on the training relations where the setting has NOTA.

K-shot RC (``data.protocol == "kshot"``): the one episode's supports are the K-shot train set.
Knowledge is built from those K examples per label only, the encoder is pre-trained on it, and
a classifier head is fine-tuned on the K-shot train set plus the synthetic examples, with model
selection on the K-shot dev set (``episode.dev``); the full test set is then classified.

The ablations (``tkre-no-mslm``, ``tkre-no-scl``, ``tkre-no-synth``, ``tkre-no-knowledge``) are
this class built with ``variant=<name>``: the same pipeline with one part switched off
(tkre/settings.py, ``VARIANTS``; registered by tkre/spec.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from baselines.dev_selection import DevTuning, SelectionSpace, meta_train, split_dev_relations
from baselines.episodic_training import EpisodicBudget
from baselines.nota_calibration import NotaThreshold
from baselines.proto import MINILM_PARAMETERS
from baselines.prototype_head import PrototypeHead, head_factory
from fsre_bench.encoders import DEFAULT_ENCODER, Encoder
from fsre_bench.encoders.identity import resolve_encoder_path
from fsre_bench.errors import ConfigError
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.training.budget import spent
from fsre_bench.types import Dataset, Episode, EpisodeData, EpisodePrediction, MethodMeta, RelationInstance
from tkre.pretraining_texts import PretrainingTexts, build_pretraining_texts, knowledge_instances
from tkre.settings import VARIANTS, TKRESettings, Variant, llm_config_for


class TKREMethod:
    """Full TKRE, or with ``variant`` one of its ablations (one part switched off).

    Episodic answers come from a ``PrototypeHead`` over the pre-trained, then meta-trained encoder
    (built in ``fit``); ``fuse_descriptions`` (the ``tkre-desc`` entry, or ``tkre_fuse_description``)
    fuses relation descriptions at inference as proto-desc does.
    """

    name = "tkre"

    def __init__(self, config: MethodConfig, variant: str = "tkre", fuse_descriptions: bool = False):
        self.config = config
        if variant not in VARIANTS:
            raise ConfigError(f"unknown TKRE variant {variant!r}; known: {', '.join(VARIANTS)}")
        self.name = f"{variant}-desc" if fuse_descriptions else variant
        self.variant: Variant = VARIANTS[variant]
        self.settings = TKRESettings.from_options(config.options)
        self.fuse_descriptions = fuse_descriptions or self.settings.fuse_description
        self.representation = self.settings.representation
        self.head: PrototypeHead | None = None
        self.nota = NotaThreshold.from_config(self.name, config)
        # meta-training and model selection: proto-ft's very budget and selection options (proto_ft_*, select_*)
        self.episodic_budget = EpisodicBudget.from_options(config.options)
        self.space = SelectionSpace.from_options(config.options)
        self.tuning = DevTuning(self.space, head_factory(self.representation, self.fuse_descriptions, config.device,
                                                         config.batch_size), config.seed)
        self._llm = llm_config_for(config.options, self.settings)
        self._trained: dict[str, Any] = {}
        self._timing: dict[str, float] = {}  # seconds per pipeline step of the last fit/split
        self._meta_fitted: list[dict[str, Any]] = []  # the meta-trained encoder (episodic)
        self._head_corpora: dict[Any, Any] = {}  # the MLM head's sentences per training set (_head_corpus)

    # ------------------------------------------------------------------ Method protocol
    @property
    def meta(self) -> MethodMeta:
        trained = self._trained
        return MethodMeta(
            name=self.name, type="trained", backbone=self.config.encoder or DEFAULT_ENCODER,
            parameters=MINILM_PARAMETERS if self.config.encoder is None else None,
            training_data=trained.get("training_data"), training_relations=trained.get("training_relations", []),
            knowledge_source=trained.get("knowledge_source"),
            description=_describe(self.variant),
            extra={"variant": asdict(self.variant), "settings": self.settings.to_dict(),
                   "knowledge": trained.get("knowledge"), "pretrain": trained.get("pretrain"),
                   "finetune": trained.get("finetune"), "kshot_steps": trained.get("kshot_steps"),
                   "mlm_head": trained.get("mlm_head"), "nota_threshold": self.nota.value,
                   "representation": self.representation, "step_timing_s": dict(self._timing),
                   "torch_threads": _torch_threads(), "spent": spent(**trained.get("spent", {})),
                   "meta_train": trained.get("meta_train"), "model_selection": trained.get("model_selection"),
                   "episodic_budget": asdict(self.episodic_budget), "dev_tuning": self.tuning.record,
                   "selection_pretrain": trained.get("selection_pretrain"),
                   "fuse_descriptions": self.fuse_descriptions},
        )

    def fit(self, train: Dataset | None) -> None:
        """Episodic: knowledge + pre-training on ``train``'s relations. K-shot: nothing yet (per split, in predict)."""
        self.nota.train = train
        if self.config.option("protocol") == "kshot":
            return
        if train is None:
            raise ConfigError(f"{self.name} pre-trains on knowledge of training relations: give --train "
                              "(e.g. --train semeval2010/train); evaluation relations are never used")
        # The dev relations (model selection) are held out of pre-training too: the selection never saw them.
        # With select_refit "all" the chosen recipe is then run again on every training relation (pre-training
        # included), and that is the evaluated encoder; the selection encoder still picks fusion weight and NOTA.
        fit, dev = (split_dev_relations(train, self.space.dev_relations, self.config.seed, self.space.dev_split)
                    if self.space.dev_relations else (train, None))
        refit = dev is not None and self.space.refit == "all"
        encoder_dir = self._pretrain_on(fit, train)
        if self.settings.meta_train:
            encoder_dir = self._meta_train(train, encoder_dir,
                                           (lambda: str(self._pretrain_on(train, train, refit=True))) if refit else None)
        elif dev is not None:
            self.tuning.dev, self.tuning.encoder_dir = dev, encoder_dir
            if refit:
                encoder_dir = self._pretrain_on(train, train, refit=True)
        encoder = Encoder(str(encoder_dir), device=self.config.device, batch_size=self.config.batch_size)
        self.head = PrototypeHead(encoder, self.representation, fuse_descriptions=self.fuse_descriptions)

    def predict(self, episodes: Sequence[Episode], data: EpisodeData) -> Iterator[EpisodePrediction]:
        if data.protocol == "kshot":
            for episode in episodes:
                yield self._predict_kshot(episode, data)
            return
        if self.head is None:
            raise ConfigError(f"{self.name}: predict before fit; the pre-trained encoder is built in fit")
        threshold = self.tuning.threshold(self.head, list(episodes), data, self.nota)
        yield from self.head.predict(episodes, data, threshold)

    def fitted_models(self) -> list[dict[str, Any]]:
        """The pre-trained encoder this seed used, and the harness state that trained it (None: unknown)."""
        pretrain = self._trained.get("pretrain")
        if not pretrain:
            return []
        selection = (self._trained.get("selection_pretrain") or {}).get("pretrain")
        fitted = [{"kind": f"tkre pre-trained encoder{label}", "cache_key": record["cache_key"],
                   "reused": bool(record["cache_hit"]), "produced_by": record.get("produced_by")}
                  for label, record in (("", pretrain), (" (selection, without the dev relations)", selection))
                  if record]
        return fitted + self._meta_fitted

    def close(self) -> None:
        if self.settings.knowledge == "llm":
            from fsre_bench.llm import stop_managed_servers

            stop_managed_servers()

    # ------------------------------------------------------------------ the pipeline
    def _pretrain_on(self, relations: Dataset, train: Dataset, refit: bool = False) -> Any:
        """Knowledge and pre-training on ``relations`` (a part of ``train``, or all of it for the refit).

        A refit keeps what the selection's pre-training spent (``selection_pretrain``) before its own
        record replaces it: the meta then describes the evaluated encoder and still counts the selection.
        """
        if refit:
            self._trained["selection_pretrain"] = {"relations": self._trained.get("training_relations"),
                                                   "knowledge_source": self._trained.get("knowledge_source"),
                                                   "knowledge": self._trained.get("knowledge"),
                                                   "pretrain": self._trained.get("pretrain"),
                                                   "spent": dict(self._trained.get("spent", {})),
                                                   "step_timing_s": dict(self._timing)}
        started = time.perf_counter()
        instances = knowledge_instances(list(relations.all_instances()), relations.negative_label,
                                        self.settings.max_relations)
        texts = self._knowledge(instances, relations.relations, f"{train.name}/{train.split}", relations.entity_types)
        encoder_dir = self._pretrain(texts, f"{train.name}/{train.split}")
        if refit:  # knowledge_s / pretrain_s now describe the refit's; this is both of them
            self._timing["refit_pretrain_s"] = round(time.perf_counter() - started, 2)
        return encoder_dir

    def _knowledge(self, instances: list[RelationInstance], relations: Any, dataset: str,
                   entity_types: Sequence[str]) -> PretrainingTexts:
        started = time.perf_counter()
        texts = build_pretraining_texts(instances, relations, variant=self.variant, settings=self.settings,
                                        llm=self._llm, dataset=dataset, entity_types=entity_types,
                                        seed=self.config.seed)
        self._trained.update(training_relations=sorted(texts.relations), knowledge_source=texts.source,
                             knowledge=texts.info)
        self._timing["knowledge_s"] = round(time.perf_counter() - started, 2)
        return texts

    def _pretrain(self, texts: PretrainingTexts, training_data: str) -> Any:
        from tkre.pretrain import pretrain_encoder

        config = self.settings.pretrain_config(self.variant, texts.stage1_sources, texts.stage2_sources,
                                               self.config.seed, self.config.device)
        started = time.perf_counter()
        base = self._mslm_base(config)
        self._timing["mlm_head_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()  # pretrain_s is the two stages alone; the head has its own line
        result = pretrain_encoder(texts.examples, texts.relations, config, base_model=base, progress=False)
        self._timing["pretrain_s"] = round(time.perf_counter() - started, 2)
        self._trained.update(training_data=training_data, pretrain=_pretrain_summary(result.info))
        self._trained["spent"] = {name: _stage_spent(stage) for name, stage in result.info.get("stages", {}).items()
                                  if stage.get("ran")}
        return result.encoder_dir

    def _mslm_base(self, config: Any) -> str | None:
        """The encoder pre-training starts from: for MSLM on the default MiniLM (which ships no MLM head), the
        cached encoder + head that passed its held-out test (tkre/pretrain/mlm_head.py); refused when it fails."""
        from tkre.pretrain.mlm_head import HeadRecipe, trained_head

        base = resolve_encoder_path(self.config.encoder)
        uses_mslm = config.stage1_mslm or config.stage2_mslm
        other_encoder = base != resolve_encoder_path(None)
        if not uses_mslm or other_encoder or self.settings.mlm_head_corpus == "none":
            self._trained["mlm_head"] = {"trained": False, "reason": "no MSLM stage" if not uses_mslm else
                                         "--encoder given (its own head is used)" if other_encoder else
                                         "tkre_mlm_head_corpus none: the fresh head's warm-up only"}
            return base
        recipe = HeadRecipe(frozen_steps=self.settings.mlm_head_frozen_steps,
                            joint_steps=self.settings.mlm_head_joint_steps)
        head = trained_head(base, self._head_corpus(), recipe)
        self._trained["mlm_head"] = {"trained": True, **{k: v for k, v in head.info.items() if k != "recipe"}}
        if not head.passed:
            raise ConfigError(head.refusal())
        return str(head.directory)

    def _head_corpus(self) -> Any:
        """The head's sentences, built once per training set: every split / selection / refit reads the same."""
        from fsre_bench.data.loader import load_dataset
        from tkre.pretrain.mlm_head import HeadCorpus

        name, train = self.settings.mlm_head_corpus, None
        if name == "auto":
            # Episodic: the --train data's sentences, unlabelled (the dev relations' too: they are training
            # relations, and one head then serves selection and refit). K-shot: FewRel's training relations.
            train = self.nota.train if self.config.option("protocol") != "kshot" else None
            name = "fewrel/train_offline" if train is None else None
        key = (train.name, train.split, train.source_sha256) if train is not None else name
        if key not in self._head_corpora:
            dataset = load_dataset(name) if name else train
            self._head_corpora[key] = HeadCorpus(f"{dataset.name}/{dataset.split}", dataset.source_sha256,
                                                 tuple(" ".join(inst.tokens) for inst in dataset.all_instances()))
        return self._head_corpora[key]

    def _meta_train(self, train: Dataset, encoder_dir: Any, refit_base: Any = None) -> Any:
        """proto-ft's meta-training (same episodes, steps, lr, selection, refit) from the pre-trained encoder."""
        started = time.perf_counter()
        trained = meta_train(train, self.episodic_budget, str(encoder_dir), seed=self.config.seed,
                             device=self.config.device, space=self.space, make_head=self.tuning.make_head,
                             namespace="tkre_meta", key_parts=(train.source_sha256, sorted(train.by_id)),
                             refit_base=refit_base)
        run = trained.run
        self.tuning.dev, self.tuning.encoder_dir = trained.dev, trained.tuning_dir
        self._meta_fitted = trained.fitted("tkre meta-trained encoder")
        # a refit's pre-training runs inside meta_train (refit_base) and is timed apart as refit_pretrain_s
        self._timing["meta_train_s"] = round(time.perf_counter() - started - self._timing.get("refit_pretrain_s", 0), 2)
        self._trained.setdefault("spent", {})["meta_train"] = run.info["budget"]
        meta_trained = trained.trained_on or [r for r in train.positive_relations if train.instances.get(r)]
        self._trained.update(meta_train={k: run.info.get(k) for k in ("steps", "first_loss", "last_loss_mean20",
                                                                       "selection_budget")},
                             model_selection=run.info.get("model_selection"),
                             training_relations=sorted({*self._trained.get("training_relations", []), *meta_trained}))
        return run.path

    def _predict_kshot(self, episode: Episode, data: EpisodeData) -> EpisodePrediction:
        from fsre_bench.training.classifier import classify, finetune_classifier

        supports = [data.instances[i] for group in episode.support for i in group]
        dev = [data.instances[i] for group in (episode.dev or ()) for i in group]
        instances = knowledge_instances(supports, data.negative_label, self.settings.max_relations)
        name = f"kshot:{episode.id}"
        texts = self._knowledge(instances, data.relations, name, data.entity_types)
        encoder_dir = self._pretrain(texts, name)
        budget = self.settings.classifier_budget()
        fitted = finetune_classifier(encoder_dir, [*supports, *texts.synthetic], dev, list(episode.relations),
                                     settings=budget, seed=self.config.seed,
                                     negative_label=data.negative_label, device=self.config.device)
        self._trained["finetune"] = {**fitted.info, "synthetic_examples": len(texts.synthetic)}
        self._trained.setdefault("spent", {})["classifier"] = fitted.info["budget"]
        # the supervised steps on this split, the number finetune-synth --match-steps tkre trains (tkre/kshot_steps.py)
        steps = {name: self._trained["spent"].get(name, {}).get("steps", 0) for name in ("stage1", "stage2")}
        steps["classifier"] = fitted.info["steps"]
        self._trained["kshot_steps"] = {**steps, "total": sum(steps.values())}
        self._timing["finetune_s"] = fitted.info["wall_s"]
        started = time.perf_counter()
        labels = classify(fitted, data.get(episode.queries), budget, self.config.device)
        self._timing["test_s"] = round(time.perf_counter() - started, 2)
        return EpisodePrediction(episode.id, tuple(labels))


def _torch_threads() -> int:
    import torch

    return torch.get_num_threads()


def _describe(variant: Variant) -> str:
    off = [name for name, on in (("stage-1 MSLM", variant.stage1_mslm), ("stage-2 SCL", variant.stage2_scl),
                                 ("stage-2 MSLM", variant.stage2_mslm), ("synthetic data", variant.synthetic),
                                 ("explanations", variant.explanations)) if not on]
    return "TKRE: knowledge -> MSLM -> SCL+MSLM pre-training" + (f", without {', '.join(off)}" if off else "")


def _pretrain_summary(info: dict[str, Any]) -> dict[str, Any]:
    """Which stages ran with which objectives, on how much, and how long (the full info stays in the cache)."""
    stages = {}
    for name, stage in info.get("stages", {}).items():
        keep = ("ran", "reason", "objectives", "examples", "steps", "steps_planned", "epochs_completed", "masked_tokens",
                "scl_rows", "scl_marker_rows", "blanked_mentions", "encoder_frozen", "examples_seen", "tokens",
                "loss_per_epoch", "final_loss", "wall_s")
        stages[name] = {k: stage[k] for k in keep if k in stage}
    return {"cache_key": info.get("cache_key"), "cache_hit": info.get("cache_hit"), "stages": stages,
            "examples": info.get("examples"), "wall_s_total": info.get("wall_s_total"),
            "base_model": (info.get("base_model") or {}).get("name"), "produced_by": info.get("harness")}


def _stage_spent(stage: dict[str, Any]) -> dict[str, Any]:
    """One pre-training stage's budget in the shape every trained method records."""
    return {"steps": stage.get("steps", 0), "texts": stage.get("examples_seen", 0), "tokens": stage.get("tokens", 0),
            "wall_s": round(stage.get("wall_s", 0.0), 2)}
