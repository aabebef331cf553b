"""Registry entries of the baselines (pyproject.toml's ``fsre_bench.methods`` entry points point here).

Import-light on purpose: ``fsre-bench run --help`` reads these without importing a model.
"""

from __future__ import annotations

from typing import Any

from fsre_bench.methods.options import MethodOption
from fsre_bench.methods.spec import NAMES_AND_DESCRIPTIONS, NO_SIDE_INFORMATION, MethodSpec

# The one statement of every baseline option's default: the dataclasses that read them (SelectionSpace,
# EpisodicBudget, ClassifierBudget, ICLOptions) take their defaults from these declarations.
# proto's representation: chosen on the development split fewrel/val_semeval 5-1, never on val_wiki
# (benchmarks/README.md, "Proto representation study"): the best frozen view there by 7.5 points.
PROTO_REPRESENTATION = MethodOption("proto_representation", str, "entity-pool", "instance representation",
                               choices=("entity-pool", "marker-start", "marker-mean"))
# proto, proto-ft(-desc) and TKRE declare it: one declaration, read by baselines.nota_calibration.NotaThreshold
NOTA_THRESHOLD = MethodOption("nota_threshold", float, None,
                              "fixed NOTA threshold instead of calibration on --train", metavar="SCORE")
_PROTO_READS = ("proto_representation", NOTA_THRESHOLD.name)

RANDOM = MethodSpec("random", "baselines.random_baseline:RandomMethod", "uniform over the episode's labels (the floor)",
                    reads=())
PROTO = MethodSpec("proto", "baselines.proto:ProtoMethod", "frozen-encoder prototypical network",
                   options=(PROTO_REPRESENTATION, NOTA_THRESHOLD), reads=_PROTO_READS)
PROTO_DESC = MethodSpec("proto-desc", "baselines.proto:ProtoDescMethod",
                        "prototypes fused with relation name + description",
                        options=(PROTO_REPRESENTATION, NOTA_THRESHOLD), reads=_PROTO_READS,
                        side_information=NAMES_AND_DESCRIPTIONS)  # every prototype fused with "name: description"
# Model selection on held-out training relations (baselines/dev_selection.py); proto-ft and TKRE read it.
DEV_SPLITS = ("family", "relation")
REFITS = ("all", "none")
SELECTION_OPTIONS = (
    MethodOption("select_dev_relations", int, 4, "training relations held out (seeded) to choose lr, steps, "
                 "fusion weight and NOTA threshold; 0 = none", metavar="N"),
    MethodOption("select_dev_episodes", int, 200, "dev-relation episodes per evaluation", metavar="N"),
    MethodOption("select_dev_split", str, "family", "hold out whole relation families (both directions of a "
                 "SemEval class: no dev relation's reverse is trained on) or single relations",
                 choices=DEV_SPLITS),
    # none by default (issue 31, 2026-12-07): the evaluated model is the one the dev relations chose, and a
    # refit doubled every trained method's cost (TKRE pre-trains and meta-trains again) for 4 more relations.
    MethodOption("select_refit", str, "none", "after choosing, train again on all training relations with the "
                 "chosen lr and steps (all) or evaluate the selection checkpoint, trained without the dev relations "
                 "(none)", choices=REFITS),
)
# proto-ft trains the start-marker view; every EpisodicBudget field is an option proto_ft_<field>
# (TKRE's meta-training stage reads the same ones).
EPISODIC_OPTIONS = (MethodOption("proto_ft_steps", int, 300, "meta-training episodes", metavar="N"),
                    MethodOption("proto_ft_lr", float, 5e-5, "meta-training learning rate", metavar="LR"))
_PROTO_FT_READS = (NOTA_THRESHOLD.name, "proto_ft_", "select_")
# "refit/1": the recipe that can retrain the evaluated encoder on all training relations after selection
# (select_refit=all, a77739b; off by default since issue 31), NOTA/fusion tuned with the selection encoder.
SELECTION_RECIPE = "refit/1"
PROTO_FT = MethodSpec("proto-ft", "baselines.proto_ft:ProtoFinetunedMethod",
                      "Proto-BERT: episodic meta-training of the encoder",
                      options=(*EPISODIC_OPTIONS, *SELECTION_OPTIONS, NOTA_THRESHOLD), reads=_PROTO_FT_READS,
                      trains_weights=True, requires_train=True, recipe=SELECTION_RECIPE)
PROTO_FT_DESC = MethodSpec("proto-ft-desc", "baselines.proto_ft:ProtoFinetunedMethod",
                           "proto-ft + relation-description fusion at inference (the control for tkre-desc)",
                           options=(*EPISODIC_OPTIONS, *SELECTION_OPTIONS, NOTA_THRESHOLD), reads=_PROTO_FT_READS,
                           trains_weights=True, requires_train=True, arguments={"fuse_descriptions": True}, side_information=NAMES_AND_DESCRIPTIONS,
                           recipe=SELECTION_RECIPE)
ICL_PERMUTATIONS = ("none", "cyclic")  # icl_permutations: the standard remedy for option-position bias
ICL = MethodSpec("icl", "baselines.icl:ICLMethod", "in-context LLM through any OpenAI-compatible endpoint",
                 options=(
                     MethodOption("icl_batch_queries", bool, False,
                                  "all queries of an episode in one request (default: one request per query)"),
                     MethodOption("icl_max_demos", int, None,
                                  "show at most N demonstrations per prompt (default: all within the token budget)",
                                  metavar="N"),
                     MethodOption("icl_token_budget", int, 3000,
                                  "estimated prompt tokens per request (fits the local 4096 context)", metavar="TOKENS"),
                     MethodOption("icl_permutations", str, "none",
                                  "cyclic: ask each query once per rotation of the option order and take the majority "
                                  "(removes position bias; N calls per query for N relations)", choices=ICL_PERMUTATIONS),
                 ),
                 reads=("llm", "icl_"), uses_llm=True,
                 side_information=NAMES_AND_DESCRIPTIONS)  # the lettered options show names and descriptions
# The K-shot "Fine-tuning" control: TKRE's classifier head and budget on the base encoder.
FINETUNE_OPTIONS = (
    MethodOption("finetune_epochs", int, 10, "K-shot classifier epochs (the tkre_finetune_epochs default)",
                 metavar="N"),
    MethodOption("finetune_max_steps", int, None, "cap on K-shot classifier optimiser steps", metavar="N"),
)
FINETUNE = MethodSpec("finetune", "baselines.finetune:FinetuneMethod",
                      "K-shot: base encoder + TKRE's classifier head fine-tuned (no pre-training)",
                      options=FINETUNE_OPTIONS, reads=("finetune_",), trains_weights=True)
def _synthetic_side_information(spec: MethodSpec, options: Any, protocol: str) -> str:
    """LLM-made synthetic sentences are written from the labels' names and descriptions; schema ones are not."""
    return NAMES_AND_DESCRIPTIONS if options.get("knowledge", "llm") != "schema" else NO_SIDE_INFORMATION


# + exactly the SCDG instances TKRE adds (its --knowledge and tkre_synthetic_* settings).
# Step-matched by default (issue 31): its classifier trains as many steps as tkre spends on the split (stage 1,
# stage 2, classifier; tkre/kshot_steps.py), so it reads every tkre_* budget that decides that number.
MATCH_STEPS = MethodOption("match_steps", str, "tkre", "tkre: as many classifier steps as tkre's stage 1 + stage 2 + "
                           "classifier steps on the split; none: finetune_epochs", choices=("tkre", "none"))
FINETUNE_SYNTH = MethodSpec("finetune-synth", "baselines.finetune:FinetuneMethod",
                            "finetune + TKRE's synthetic (SCDG) examples, trained as many steps as tkre",
                            options=(*FINETUNE_OPTIONS, MATCH_STEPS),
                            reads=("finetune_", "knowledge", "tkre_", "llm", "match_steps"),
                            uses_llm=True, trains_weights=True, arguments={"synthetic": True},
                            side_information=_synthetic_side_information)
