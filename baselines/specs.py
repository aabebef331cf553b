"""Registry entries of the baselines (pyproject.toml's ``fsre_bench.methods`` entry points point here).

Import-light on purpose: ``fsre-bench run --help`` reads these without importing a model.
"""

from __future__ import annotations

from fsre_bench.methods.options import MethodOption
from fsre_bench.methods.spec import NAMES_AND_DESCRIPTIONS, MethodSpec

_REPRESENTATION = MethodOption("proto_representation", str, "entity-pool", "instance representation",
                               choices=("entity-pool", "marker-start", "marker-mean"))
_NOTA_THRESHOLD = MethodOption("nota_threshold", float, None,
                               "fixed NOTA threshold instead of calibration on --train", metavar="SCORE")
_PROTO_READS = ("proto_representation", "nota_threshold")

RANDOM = MethodSpec("random", "baselines.random_baseline:RandomMethod", "uniform over the episode's labels (the floor)",
                    reads=())
PROTO = MethodSpec("proto", "baselines.proto:ProtoMethod", "frozen-encoder prototypical network",
                   options=(_REPRESENTATION, _NOTA_THRESHOLD), reads=_PROTO_READS)
PROTO_DESC = MethodSpec("proto-desc", "baselines.proto:ProtoDescMethod",
                        "prototypes fused with relation name + description",
                        options=(_REPRESENTATION, _NOTA_THRESHOLD), reads=_PROTO_READS,
                        side_information=NAMES_AND_DESCRIPTIONS)  # every prototype fused with "name: description"
# proto-ft trains the start-marker view; every EpisodicBudget field is an option proto_ft_<field>.
PROTO_FT = MethodSpec("proto-ft", "baselines.proto_ft:ProtoFinetunedMethod",
                      "Proto-BERT: episodic meta-training of the encoder",
                      options=(MethodOption("proto_ft_steps", int, 300, "training episodes", metavar="N"), _NOTA_THRESHOLD),
                      reads=(*_PROTO_READS, "proto_ft_"), trains_weights=True)
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
                                  "(removes position bias; N calls per query for N relations)", choices=("none", "cyclic")),
                 ),
                 reads=("llm", "icl_"), uses_llm=True,
                 side_information=NAMES_AND_DESCRIPTIONS)  # the lettered options show names and descriptions
