"""Method names → lazy ``"module:Class"`` strings, plus the ``fsre_bench.methods`` entry points.

Nothing here imports a method's module until that method is asked for, so ``--help`` and
``ls`` never import torch.
"""

from __future__ import annotations

import difflib
import importlib
from importlib.metadata import entry_points

from fsre_bench.errors import ConfigError
from fsre_bench.methods.protocol import Method, MethodConfig

ENTRY_POINT_GROUP = "fsre_bench.methods"

# name -> ("module:Class", one-line summary)
BUILTIN_METHODS: dict[str, tuple[str, str]] = {
    "random": ("baselines.random_baseline:RandomMethod", "uniform over the episode's labels (the floor)"),
    "proto": ("baselines.proto:ProtoMethod", "frozen-encoder prototypical network"),
    "proto-desc": ("baselines.proto:ProtoDescMethod", "prototypes fused with relation name + description"),
    "proto-ft": ("baselines.proto_ft:ProtoFinetunedMethod", "Proto-BERT: episodic meta-training of the encoder"),
    "icl": ("baselines.icl:ICLMethod", "in-context LLM through any OpenAI-compatible endpoint"),
    "tkre": ("tkre.method:TKREMethod", "TKRE: LLM knowledge + MSLM -> SCL two-stage pre-training"),
    "tkre-no-mslm": ("tkre.method:TKRENoMSLM", "TKRE ablation: no MSLM (SCL only)"),
    "tkre-no-scl": ("tkre.method:TKRENoSCL", "TKRE ablation: no SCL (MSLM only)"),
    "tkre-no-synth": ("tkre.method:TKRENoSynth", "TKRE ablation: no synthetic (SCDG) data"),
    "tkre-no-knowledge": ("tkre.method:TKRENoKnowledge", "TKRE ablation: MSLM over raw sentences"),
}


def available_methods() -> dict[str, tuple[str, str]]:
    """Built-in methods plus those third-party packages register as entry points."""
    methods = dict(BUILTIN_METHODS)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        methods.setdefault(ep.name, (ep.value, f"third-party ({ep.dist.name if ep.dist else 'entry point'})"))
    return methods


def check_method_names(names: list[str]) -> None:
    """Fail on the first unknown name with a did-you-mean, before any work starts."""
    known = available_methods()
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ConfigError(f"unknown method {name!r}.{hint} (`fsre-bench ls methods` lists them)")


def resolve_method_class(name: str) -> type:
    check_method_names([name])
    target, _ = available_methods()[name]
    module_name, _, attr = target.partition(":")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        raise ConfigError(f"method {name!r}: {module_name} has no attribute {attr!r}") from exc


def create_method(name: str, config: MethodConfig) -> Method:
    method = resolve_method_class(name)(config)
    if not isinstance(method, Method):
        raise ConfigError(f"method {name!r} does not implement the Method protocol (name, meta, fit, predict, close)")
    return method
