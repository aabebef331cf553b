"""TKRE's run settings (knowledge source, budgets) and what each ablation variant switches off.

Every value comes from ``MethodConfig.options`` (``--tkre-*`` flags, ``--knowledge``, or a YAML
``method_options`` block), is validated here, and is recorded in the result's method meta.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.training.classifier import ClassifierBudget

KNOWLEDGE_SOURCES = ("llm", "schema")


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


@dataclass(frozen=True)
class TKRESettings:
    """Knowledge source and CPU budgets; the defaults keep a SemEval K=8 run well under 15 minutes."""

    knowledge: str = "llm"  # "llm" (EDKG/SCDG through the LLM layer) | "schema" (declared offline variant)
    explanations_per_relation: int = 6  # EDKG examples per relation (the reference used ~6)
    synthetic_per_relation: int = 8  # SCDG samples kept per relation (TKRE.md: at most 8)
    synthetic_rounds: int = 3  # SCDG requests per relation at most (the reference loops forever)
    max_relations: int | None = None  # knowledge for the first N training relations only (tiny budgets)
    # Pre-training corpus (TKRE.md, "Align pre-training with use"): labelled sentences per relation
    # (None = all, 0 = none, the knowledge texts alone), marked as inference marks them.
    corpus_sentences_per_relation: int | None = None
    mark_entities: bool = True
    stage1_epochs: int = 2
    stage2_epochs: int = 2
    # optimiser steps per stage, a cap on top of the epochs: with every labelled training sentence in the
    # corpus (SemEval train: ~3.7k texts), 100 steps a stage keeps a FewRel run near 10 min a seed on 2 cores
    pretrain_max_steps: int | None = 100
    pretrain_batch_size: int = 16
    mlm_warmup_steps: int = 100  # fresh MLM head warmed up with the encoder frozen (MiniLM ships no head)
    # K-shot classifier (defaults shared with the finetune baseline: fsre_bench/training/classifier.py)
    finetune_epochs: int = ClassifierBudget.epochs  # over the K-shot train set (+ synthetic)
    finetune_max_steps: int | None = ClassifierBudget.max_steps  # cap on classifier optimiser steps
    finetune_batch_size: int = ClassifierBudget.batch_size
    finetune_lr: float = ClassifierBudget.lr
    finetune_head_lr: float = ClassifierBudget.head_lr  # the classifier head starts random
    dropout: float = ClassifierBudget.dropout
    eval_batch_size: int = ClassifierBudget.eval_batch_size
    representation: str = "marker-start"  # episodic prototypes (TKRE.md: start-marker states)
    fuse_description: bool = False  # episodic: fuse prototypes with the relation name/description view
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
        for name in ("stage1_epochs", "stage2_epochs", "finetune_epochs", "mlm_warmup_steps"):
            _at_least(name, getattr(self, name), 0)
        if self.corpus_sentences_per_relation is not None:
            _at_least("corpus_sentences_per_relation", self.corpus_sentences_per_relation, 0)
        for name in ("pretrain_max_steps", "finetune_max_steps", "max_relations"):
            if getattr(self, name) is not None:
                _at_least(name, getattr(self, name), 1)
        if self.representation not in ("marker-start", "entity-pool", "marker-mean"):
            raise ConfigError(f"tkre_representation {self.representation!r}: use marker-start, entity-pool or marker-mean")
        if not 0.0 <= self.dropout < 1.0 or self.finetune_lr <= 0 or self.finetune_head_lr <= 0:
            raise ConfigError("tkre: dropout must be in [0, 1) and the fine-tuning learning rates > 0")

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> TKRESettings:
        """``knowledge`` plus every ``tkre_<field>`` option; an unknown ``tkre_*`` key is an error."""
        known = {f.name for f in fields(cls)}
        given: dict[str, Any] = {}
        if options.get("knowledge") is not None:
            given["knowledge"] = options["knowledge"]
        for key, value in options.items():
            if not key.startswith("tkre_") or value is None:
                continue
            name = key.removeprefix("tkre_")
            if name not in known:
                raise ConfigError(f"unknown TKRE option {key!r}; known: {', '.join('tkre_' + k for k in sorted(known))}")
            given[name] = value
        try:
            return cls(**given)
        except TypeError as exc:
            raise ConfigError(f"tkre options: {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

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
