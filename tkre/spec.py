"""TKRE's registry entry: its options (knowledge source, CPU budgets) and its ablation family.

Import-light on purpose (pyproject.toml's entry point points here): ``run --help`` and
``ablate --help`` read it without importing torch. The ablations are the same class with one
part switched off (tkre/settings.py, ``VARIANTS``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from baselines.specs import (
    EPISODIC_OPTIONS,
    FINETUNE_OPTIONS,
    NOTA_THRESHOLD,
    SELECTION_OPTIONS,
    SELECTION_RECIPE,
)
from fsre_bench.methods.options import MethodOption
from fsre_bench.methods.spec import NAMES_AND_DESCRIPTIONS, NO_SIDE_INFORMATION, Ablation, MethodSpec

_BUDGETS = (
    MethodOption("tkre_explanations_per_relation", int, 6, "EDKG explanations per training relation", metavar="N"),
    MethodOption("tkre_synthetic_per_relation", int, 8, "SCDG synthetic examples kept per relation", metavar="N"),
    MethodOption("tkre_synthetic_rounds", int, 3, "SCDG requests per relation at most", metavar="N"),
    MethodOption("tkre_max_relations", int, None, "knowledge for the first N training relations only (tiny budgets)",
                 metavar="N"),
    MethodOption("tkre_stage1_epochs", int, 2, "stage-1 MSLM epochs (over labelled sentences + explanations)",
                 metavar="N"),
    MethodOption("tkre_stage2_epochs", int, 5, "stage-2 SCL+MSLM epochs (over the synthetic data)", metavar="N"),
    # 100 (issue 31, 2026-12-07): binds only on episodic training sets (FewRel's 64 relations: stage 1 would be
    # ~930 steps, stage 2 150; K-shot splits stay under it), so every ablation variant pre-trains the same steps
    # a stage (tkre-no-synth's whole-corpus stage 2 included); measured in benchmarks/README.md.
    MethodOption("tkre_pretrain_max_steps", int, 100, "cap on optimiser steps per pre-training stage", metavar="N"),
    MethodOption("tkre_mlm_warmup_steps", int, 100, "steps warming up a fresh MLM head, encoder frozen (0 = none)",
                 metavar="N"),
    MethodOption("tkre_mlm_head_corpus", str, "auto", "unlabelled sentences the MLM head learns from before MSLM "
                 "(auto: the --train data, K-shot fewrel/train_offline; a dataset name; none: fresh head)",
                 metavar="auto|DATASET|none"),
    MethodOption("tkre_mlm_head_frozen_steps", int, 50, "MLM head steps with the encoder frozen", metavar="N"),
    MethodOption("tkre_mlm_head_joint_steps", int, 150, "MLM head steps trained with the encoder", metavar="N"),
    # the finetune baseline's classifier options under TKRE's prefix: one default for both (its K-shot control)
    *(replace(option, name="tkre_" + option.name, help=help) for option, help in
      zip(FINETUNE_OPTIONS, ("K-shot classifier epochs", "cap on K-shot classifier optimiser steps"), strict=True)),
    MethodOption("tkre_corpus_sentences_per_relation", int, None,
                 "labelled training sentences per relation in the pre-training corpus (default all; 0 = none)",
                 metavar="N"),
)

# SCL: the paper's by default; the supervised variant of earlier rounds is these options together
# (--tkre-scl-anchor-negatives batch --tkre-scl-marker-positive --tkre-scl-entity-blank-rate 0.7
#  --tkre-scl-unmasked-pass --tkre-scl-irrelevant-spans 2 --tkre-scl-direct-anchors).
_SCL = (
    MethodOption("tkre_scl_irrelevant_spans", int, 1, "SCL negatives: irrelevant spans drawn from the same text",
                 metavar="N"),
    MethodOption("tkre_scl_anchor_negatives", str, "none", "SCL: other relations' anchors as negatives too "
                 "(the paper: none)", choices=("none", "batch", "all")),
    MethodOption("tkre_scl_marker_positive", bool, False, "SCL: the start-marker pair as a second positive"),
    MethodOption("tkre_scl_entity_blank_rate", float, 0.0, "SCL: blank each entity mention with this probability",
                 metavar="P"),
    MethodOption("tkre_scl_unmasked_pass", bool, False, "SCL on a second, unmasked forward pass "
                 "(the paper: the masked MSLM pass)"),
    MethodOption("tkre_scl_direct_anchors", bool, False, "SCL anchors learned in the projection's output space "
                 "(the paper: projected with the spans)"),
)


def _side_information(spec: MethodSpec, options: Mapping[str, Any], protocol: str) -> str:
    """Episodic: the knowledge is about the training relations, so none about the evaluation ones unless
    prototypes are fused with descriptions. K-shot: explanations (and LLM-made synthetic sentences) are
    written for the split's own labels, from their names and descriptions."""
    if options.get("tkre_fuse_description") or spec.arguments.get("fuse_descriptions"):
        return NAMES_AND_DESCRIPTIONS
    if protocol != "kshot":
        return NO_SIDE_INFORMATION
    variant = spec.arguments.get("variant", "tkre")
    explanations = variant != "tkre-no-knowledge"
    synthetic_from_llm = variant != "tkre-no-synth" and options.get("knowledge", "llm") != "schema"
    return NAMES_AND_DESCRIPTIONS if explanations or synthetic_from_llm else NO_SIDE_INFORMATION


# proto_ft_* and select_*: TKRE's meta-training stage and model selection are proto-ft's (same options).
_READS = (NOTA_THRESHOLD.name, "knowledge", "tkre_", "llm", "proto_ft_", "select_")

TKRE = MethodSpec(
    "tkre", "tkre.method:TKREMethod", "TKRE: LLM knowledge + MSLM -> SCL two-stage pre-training",
    options=(
        MethodOption("knowledge", str, "llm", "llm: EDKG/SCDG through the --llm endpoint; "
                     "schema: the declared offline variant (templates, entity substitution); "
                     "import:DIR: explanations.json / synthetic.jsonl made elsewhere (the reference release's formats)",
                     metavar="llm|schema|import:DIR"),
        *_BUDGETS,
        *_SCL,
        MethodOption("tkre_fuse_description", bool, False,
                     "episodic: fuse prototypes with the relation name/description view"),
        NOTA_THRESHOLD,  # proto's and proto-ft's very option
        *EPISODIC_OPTIONS,
        *SELECTION_OPTIONS,
    ),
    reads=_READS,
    uses_llm=True,
    side_information=_side_information,
    trains_weights=True,
    requires_train=True,  # episodic: pre-training knowledge and meta-training are about training relations
    # its meta-training and selection are proto-ft's; "paper/1": the paper's SCL, a trained MLM head and the
    # paper's corpora per stage became the defaults (issue 31), so results of the earlier recipe are not reused
    recipe=f"{SELECTION_RECIPE}+paper/1",
    ablations=(
        Ablation("tkre-no-mslm", "TKRE ablation: no MSLM (SCL only)", {"variant": "tkre-no-mslm"}),
        Ablation("tkre-no-scl", "TKRE ablation: no SCL (MSLM only)", {"variant": "tkre-no-scl"}),
        Ablation("tkre-no-synth", "TKRE ablation: no synthetic (SCDG) data", {"variant": "tkre-no-synth"}),
        Ablation("tkre-no-knowledge", "TKRE ablation: MSLM over raw sentences", {"variant": "tkre-no-knowledge"}),
    ),
)

# "tkre with descriptions": relation descriptions fused at inference (the fusion weight chosen on the
# dev relations); its control is proto-ft-desc.
TKRE_DESC = replace(TKRE, name="tkre-desc", summary="TKRE + relation-description fusion at inference",
                    ablations=(), arguments={"fuse_descriptions": True})
