"""TKRE's supervised optimiser steps on one K-shot split, counted without training.

The audit behind issue 31 found tkre training a few hundred more steps on the same K-shot
sentences than its ``finetune-synth`` control, so "tkre beats finetune-synth" mixed the two-stage
pre-training with a larger budget. The step-matched control (baselines/finetune.py,
``--match-steps tkre``) asks this module how many steps tkre takes on the split (stage 1 on the
labelled sentences + explanations, stage 2 on the synthetic data, then the classifier) and trains
its classifier exactly that many. The MLM head (tkre/pretrain/mlm_head.py) is not counted: it
learns from unlabelled sentences of other relations, not the split's data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fsre_bench.encoders.identity import resolve_encoder_path
from fsre_bench.training.classifier import planned_classifier_steps
from fsre_bench.types import EpisodeData, RelationInstance
from tkre.pretrain.pipeline import planned_stage_steps
from tkre.pretraining_texts import build_pretraining_texts, knowledge_instances
from tkre.settings import VARIANTS, TKRESettings, llm_config_for


def tkre_kshot_steps(options: Mapping[str, Any], supports: Sequence[RelationInstance], data: EpisodeData,
                     split_id: str, *, seed: int, device: str, encoder: str | None) -> dict[str, int]:
    """{"stage1", "stage2", "classifier", "total"}: what tkre (its default variant, these options) trains."""
    settings = TKRESettings.from_options(dict(options))
    variant = VARIANTS["tkre"]
    instances = knowledge_instances(list(supports), data.negative_label, settings.max_relations)
    texts = build_pretraining_texts(instances, data.relations, variant=variant, settings=settings,
                                    llm=llm_config_for(dict(options), settings), dataset=f"kshot:{split_id}",
                                    entity_types=data.entity_types, seed=seed)
    config = settings.pretrain_config(variant, texts.stage1_sources, texts.stage2_sources, seed, device)
    steps = planned_stage_steps(texts.examples, texts.relations, config, resolve_encoder_path(encoder))
    steps["classifier"] = planned_classifier_steps(len(supports) + len(texts.synthetic), settings.classifier_budget())
    return {**steps, "total": sum(steps.values())}

