"""Which training relations a run uses, and whether they leak the evaluation split, checked before any work.

A FewRel evaluation split with a method that needs training relations and no ``--train`` uses
FewRel's own training relations (as every FewRel paper does): the full ``fewrel/train_wiki`` where
the data dir has it, else ``fewrel/train_offline`` (the 64 relations from Wiki80). SemEval's
relations stay available with ``--train semeval2010/train`` (a cross-domain setting).

Leakage between ``--train`` and the evaluation split, in three kinds:
- shared relations: refused (a few-shot number on relations trained on means nothing);
- identical sentences: refused with the count, unless ``train_leakage`` is ``drop`` (they are removed
  from the training data) or ``allow`` (kept; the result says so);
- shared entity pairs: counted and recorded, not refused (FewRel's own train and val share entities).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.methods.resolved import ResolvedMethod
from fsre_bench.types import Dataset, RelationInstance

FEWREL_EVALUATION_SPLITS = ("fewrel/val_wiki", "fewrel/val_pubmed", "fewrel/val_nyt")
FEWREL_TRAINING = ("fewrel/train_wiki", "fewrel/train_offline")  # preferred first


# FS-TACRED's partitions train on its training partition (Sabo et al. 2021: 25 train relations + no_relation).
OWN_TRAINING = {"fs-tacred/test": "fs-tacred/train", "fs-tacred/dev": "fs-tacred/train"}


def default_training_dataset(dataset: str, data_dir: Path) -> str | None:
    """The benchmark's own training relations for its evaluation split: FewRel's (the full file where
    present) for a FewRel split, fs-tacred/train for FS-TACRED's test and dev; else None."""
    from fsre_bench.data.registry import get_spec

    if dataset in OWN_TRAINING:
        return OWN_TRAINING[dataset]
    if dataset not in FEWREL_EVALUATION_SPLITS:
        return None
    full = get_spec(FEWREL_TRAINING[0])
    return full.name if (data_dir / full.relpath).is_file() else FEWREL_TRAINING[1]


def fill_default_train(config: Any, methods: Sequence[ResolvedMethod]) -> str | None:
    """Set ``config.train`` to the benchmark's own training relations where a resolved method needs them and none
    were given; returns the one line that says so (None when nothing was filled in)."""
    from fsre_bench.data import resolve_data_dir

    needing = _lacking_training(config, methods)
    default = default_training_dataset(config.dataset, resolve_data_dir(config.data_dir)) if needing else None
    if default is None:
        return None
    config.train = default
    if default in OWN_TRAINING.values():
        return f"training relations: {default} (the benchmark's own, the default for {config.dataset}) for " \
               f"{', '.join(needing)}"
    return (f"training relations: {default} (FewRel's own, the default for {config.dataset}) for "
            f"{', '.join(needing)}; --train semeval2010/train for the cross-domain setting")


def missing_training_relations(config: Any, methods: Sequence[ResolvedMethod]) -> str | None:
    """One line naming every method that needs training relations this run lacks (after ``fill_default_train``)."""
    needing = _lacking_training(config, methods)
    if not needing:
        return None
    return (f"{', '.join(needing)} need{'s' if len(needing) == 1 else ''} training relations and {config.dataset} "
            "has no default: give --train "
            "DATASET disjoint from its relations (e.g. --train fewrel/train_offline or semeval2010/train), or a fixed "
            "--nota-threshold where NOTA calibration is the need")


def _lacking_training(config: Any, methods: Sequence[ResolvedMethod]) -> list[str]:
    """The methods that need training relations, while the run has none (no ``--train``)."""
    return [m.name for m in methods if m.requires_train] if config.train is None else []


def sentence_text(instance: RelationInstance) -> str:
    """What makes two instances "the same sentence" (case kept: FewRel's text is cased)."""
    return " ".join(instance.tokens)


def _entity_pair(instance: RelationInstance) -> tuple[str, str]:
    return instance.head_text.lower(), instance.tail_text.lower()


def check_leakage(train: Dataset, evaluation: Dataset, policy: str) -> tuple[Dataset, dict[str, Any]]:
    """(training data to use, the leakage record for the result); refuses what ``policy`` does not allow."""
    _check_disjoint(train, evaluation)
    evaluation_text = {sentence_text(i) for i in evaluation.all_instances()}
    evaluation_pairs = {_entity_pair(i) for i in evaluation.all_instances()}
    shared = [i for i in train.all_instances() if sentence_text(i) in evaluation_text]
    record: dict[str, Any] = {
        "evaluation": f"{evaluation.name}/{evaluation.split}", "policy": policy,
        "shared_sentences": len(shared), "dropped_sentences": 0,
        "shared_entity_pairs": sum(_entity_pair(i) in evaluation_pairs for i in train.all_instances()),
        "train_instances": len(train),
    }
    if shared and policy == "refuse":
        raise ConfigError(
            f"--train {train.name}/{train.split} shares {len(shared)} sentence(s) with {evaluation.name}/"
            f"{evaluation.split} (first: {shared[0].id}); drop them with --train-leakage drop, or keep them "
            "with --train-leakage allow (the result is marked)")
    if shared and policy == "drop":
        train = _without(train, {i.id for i in shared})
        record["dropped_sentences"] = len(shared)
        record["train_instances"] = len(train)
    return train, record


def _check_disjoint(train: Dataset, evaluation: Dataset) -> None:
    """Training on evaluation relations would make a few-shot number meaningless."""
    if train.source_sha256 == evaluation.source_sha256:
        raise ConfigError(f"--train {train.name} is the evaluation split itself")
    shared = (set(train.relations) & set(evaluation.relations)) - {train.negative_label}
    if shared:
        raise ConfigError(
            f"--train {train.name} shares {len(shared)} relation(s) with {evaluation.name} "
            f"(e.g. {sorted(shared)[0]}): few-shot evaluation needs disjoint training relations"
        )


def _without(train: Dataset, ids: set[str]) -> Dataset:
    """``train`` less ``ids``; its sha256 changes with what was dropped, so cache keys follow."""
    instances = {label: tuple(i for i in group if i.id not in ids) for label, group in train.instances.items()}
    digest = hashlib.sha256(f"{train.source_sha256}:without:{','.join(sorted(ids))}".encode()).hexdigest()
    return replace(train, instances={k: v for k, v in instances.items() if v}, source_sha256=digest)
