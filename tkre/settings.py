"""TKRE's run settings (knowledge source, budgets) and what each ablation variant switches off.

Every value comes from ``MethodConfig.options`` (``--tkre-*`` flags, ``--knowledge``, or a YAML
``method_options`` block), is validated here, and is recorded in the result's method meta.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.methods.options import options_dataclass
from fsre_bench.training.classifier import ClassifierBudget

KNOWLEDGE_SOURCES = ("llm", "schema")
SCL_ANCHOR_NEGATIVES = ("none", "batch", "all")


@dataclass(frozen=True)
class Variant:
    """Which parts of TKRE run: the full method or one ablation (TKRE.md, "Ablations")."""

    name: str
    stage1_mslm: bool = True
    stage2_scl: bool = True
    stage2_mslm: bool = True
    synthetic: bool = True  # SCDG examples in pre-training and in the K-shot training set
    explanations: bool = True  # False: MSLM over the raw sentences the explanations would explain


VARIANTS: dict[str, Variant] = {
    "tkre": Variant("tkre"),
    "tkre-no-mslm": Variant("tkre-no-mslm", stage1_mslm=False, stage2_mslm=False),
    "tkre-no-scl": Variant("tkre-no-scl", stage2_scl=False),
    "tkre-no-synth": Variant("tkre-no-synth", synthetic=False),
    "tkre-no-knowledge": Variant("tkre-no-knowledge", explanations=False),
}


@dataclass(frozen=True, kw_only=True)
class TKRESettings:
    """Knowledge source and CPU budgets; the defaults keep a SemEval K=8 run well under 15 minutes.

    A field that is a declared option (``knowledge``, ``tkre_<field>`` in tkre/spec.py) has no default here:
    ``from_options`` takes it from the declaration, the one place a default is stated.
    """

    knowledge: str  # "llm" (EDKG/SCDG through the LLM layer) | "schema" (declared offline variant)
    explanations_per_relation: int  # EDKG examples per relation (the reference used ~6)
    synthetic_per_relation: int  # SCDG samples kept per relation (TKRE.md: at most 8)
    synthetic_rounds: int  # SCDG requests per relation at most (the reference loops forever)
    max_relations: int | None  # knowledge for the first N training relations only (tiny budgets)
    # Pre-training corpus (TKRE.md, "Align pre-training with use"): labelled sentences per relation
    # (None = all, 0 = none, the knowledge texts alone), marked as inference marks them.
    corpus_sentences_per_relation: int | None
    mark_entities: bool = True
    # Budgets in epochs of each stage's own corpus (the paper: 5 epochs a stage on GPU). Stage 1 reads the
    # labelled sentences + explanations (FewRel's 64 training relations: ~8k texts, 2 epochs ~1,000 steps),
    # stage 2 only the synthetic data (8 a relation), so it gets more epochs for about a sixth of the steps.
    stage1_epochs: int
    stage2_epochs: int
    # cap on optimiser steps per stage (binds on episodic training sets; tkre/spec.py says why); None: every epoch
    pretrain_max_steps: int | None
    pretrain_batch_size: int = 16
    mlm_warmup_steps: int  # fresh MLM head warmed up with the encoder frozen (MiniLM ships no head)
    # The MLM head MSLM reads (tkre/pretrain/mlm_head.py): trained and measured against the unigram baseline
    # before any MSLM step, where the base (MiniLM) ships none. "auto": episodic runs use the --train sentences
    # (unlabelled), K-shot runs FewRel's training-relation sentences (fewrel/train_offline: never SemEval's own);
    # a dataset name picks another corpus; "none" keeps the fresh head's short warm-up (and is marked so).
    mlm_head_corpus: str
    mlm_head_frozen_steps: int
    mlm_head_joint_steps: int
    # SCL: the paper's by default (tkre/pretrain/config.py says which release line each follows); the
    # supervised variant of earlier rounds is scl_anchor_negatives=batch, scl_marker_positive,
    # scl_entity_blank_rate=0.7, scl_unmasked_pass, scl_irrelevant_spans=2, scl_direct_anchors.
    scl_irrelevant_spans: int  # negatives: irrelevant spans of the same text
    scl_anchor_negatives: str  # none | batch | all: other relations' anchors as negatives too
    scl_marker_positive: bool  # the start-marker pair (inference's representation) as a second positive
    scl_entity_blank_rate: float  # each mention of the SCL input blanked with this probability
    scl_unmasked_pass: bool  # SCL on a second, unmasked forward pass instead of the MSLM's masked one
    scl_direct_anchors: bool  # anchors learned in the projection's output space, not projected
    # K-shot classifier: the finetune baseline's options renamed tkre_* (tkre/spec.py), the rest ClassifierBudget's
    finetune_epochs: int  # over the K-shot train set (+ synthetic)
    finetune_max_steps: int | None  # cap on classifier optimiser steps
    finetune_batch_size: int = ClassifierBudget.batch_size
    finetune_lr: float = ClassifierBudget.lr
    finetune_head_lr: float = ClassifierBudget.head_lr  # the classifier head starts random
    dropout: float = ClassifierBudget.dropout
    eval_batch_size: int = ClassifierBudget.eval_batch_size
    representation: str = "marker-start"  # episodic prototypes (TKRE.md: start-marker states)
    fuse_description: bool  # episodic: fuse prototypes with the relation name/description view
    meta_train: bool = True  # episodic: meta-train the pre-trained encoder as proto-ft does (TKRE.md)
    max_length: int = 128

    def __post_init__(self) -> None:
        if self.knowledge.startswith("import:"):
            from tkre.knowledge.imported import import_directory

            import_directory(self.knowledge)  # one line now, before any training, when DIR is unusable
        elif self.knowledge not in KNOWLEDGE_SOURCES:
            raise ConfigError(f"--knowledge {self.knowledge!r} is not one of {', '.join(KNOWLEDGE_SOURCES)} "
                              "or import:DIR")
        for name in ("explanations_per_relation", "synthetic_per_relation", "synthetic_rounds", "pretrain_batch_size",
                     "finetune_batch_size", "eval_batch_size"):
            _at_least(name, getattr(self, name), 1)
        for name in ("stage1_epochs", "stage2_epochs", "finetune_epochs", "mlm_warmup_steps", "mlm_head_frozen_steps",
                     "mlm_head_joint_steps"):
            _at_least(name, getattr(self, name), 0)
        if self.corpus_sentences_per_relation is not None:
            _at_least("corpus_sentences_per_relation", self.corpus_sentences_per_relation, 0)
        for name in ("pretrain_max_steps", "finetune_max_steps", "max_relations"):
            if getattr(self, name) is not None:
                _at_least(name, getattr(self, name), 1)
        _at_least("scl_irrelevant_spans", self.scl_irrelevant_spans, 0)
        if self.scl_anchor_negatives not in SCL_ANCHOR_NEGATIVES:
            raise ConfigError(f"tkre_scl_anchor_negatives {self.scl_anchor_negatives!r}: use "
                              f"{', '.join(SCL_ANCHOR_NEGATIVES)}")
        if not 0.0 <= self.scl_entity_blank_rate <= 1.0:
            raise ConfigError(f"tkre_scl_entity_blank_rate={self.scl_entity_blank_rate!r} must be in [0, 1]")
        if self.representation not in ("marker-start", "entity-pool", "marker-mean"):
            raise ConfigError(f"tkre_representation {self.representation!r}: use marker-start, entity-pool or marker-mean")
        if not 0.0 <= self.dropout < 1.0 or self.finetune_lr <= 0 or self.finetune_head_lr <= 0:
            raise ConfigError("tkre: dropout must be in [0, 1) and the fine-tuning learning rates > 0")

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> TKRESettings:
        """``knowledge`` plus every ``tkre_<field>`` option; an unknown ``tkre_*`` key is an error."""
        from tkre.spec import TKRE

        return options_dataclass(cls, options, "tkre_", TKRE.options, what="TKRE ", unprefixed=("knowledge",))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def scl_config(self) -> dict[str, Any]:
        """The SCL settings as PretrainConfig fields."""
        return {"irrelevant_spans_per_text": self.scl_irrelevant_spans,
                "in_batch_negatives": self.scl_anchor_negatives != "none",
                "all_anchor_negatives": self.scl_anchor_negatives == "all",
                "marker_positive": self.scl_marker_positive, "entity_blank_rate": self.scl_entity_blank_rate,
                "scl_shared_forward": not self.scl_unmasked_pass, "anchor_projected": not self.scl_direct_anchors}

    def pretrain_config(self, variant: Variant, stage1_sources: Any, stage2_sources: Any, seed: int,
                        device: str) -> Any:
        """The two-stage pre-training's PretrainConfig for ``variant`` (one construction: TKRE trains with it,
        a step-matched control counts its steps)."""
        from tkre.pretrain import PretrainConfig

        return PretrainConfig(
            stage1_mslm=variant.stage1_mslm, stage2_scl=variant.stage2_scl, stage2_mslm=variant.stage2_mslm,
            stage1_sources=stage1_sources, stage2_sources=stage2_sources,
            stage1_epochs=self.stage1_epochs, stage2_epochs=self.stage2_epochs,
            batch_size=self.pretrain_batch_size, max_steps=self.pretrain_max_steps,
            mlm_warmup_steps=self.mlm_warmup_steps, max_length=self.max_length, seed=seed, device=device,
            **self.scl_config(),
        )

    def classifier_budget(self) -> ClassifierBudget:
        """The K-shot classifier's budget from the ``finetune_*`` settings."""
        return ClassifierBudget(epochs=self.finetune_epochs, max_steps=self.finetune_max_steps,
                                batch_size=self.finetune_batch_size, lr=self.finetune_lr,
                                head_lr=self.finetune_head_lr, dropout=self.dropout,
                                eval_batch_size=self.eval_batch_size, max_length=self.max_length)


def _at_least(name: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"tkre_{name}={value!r} must be an integer >= {low}")


def llm_config_for(options: dict[str, Any], settings: TKRESettings) -> Any:
    """The LLM endpoint for ``--knowledge llm`` (None otherwise); --llm* flags without it are an error."""
    if settings.knowledge != "llm":
        if options.get("llm") is not None:
            raise ConfigError("--llm* flags are only used with --knowledge llm; drop them or use --knowledge llm")
        return None
    from fsre_bench.llm.config import llm_config_from_options

    return llm_config_from_options(options.get("llm"))
