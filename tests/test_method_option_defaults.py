"""An option's default is stated once, in the MethodSpec that declares it, and is what the method reads.

Walks every registered spec: each declared option is read by its method with the declared default
(TKRESettings: tkre_*, knowledge; ClassifierBudget: finetune_*; EpisodicBudget: proto_ft_*;
SelectionSpace: select_*; ICLOptions: icl_*; ProtoMethod: proto_representation). The dataclasses
state no default of their own for a declared option, and methods sharing an option share its default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, fields, replace

import pytest

import baselines.proto
from baselines.dev_selection import SelectionSpace
from baselines.episodic_training import EpisodicBudget
from baselines.finetune import FinetuneMethod
from baselines.icl import ICLMethod, ICLOptions
from baselines.proto import ProtoMethod
from fsre_bench.methods.interface import MethodConfig
from fsre_bench.methods.registry import method_specs
from fsre_bench.training.classifier import ClassifierBudget
from tkre.settings import TKRESettings

# option prefix -> (the dataclass that reads it, what the method builds from no options, the field prefix)
READERS = {
    "tkre_": (TKRESettings, lambda: TKRESettings.from_options({})),
    "finetune_": (ClassifierBudget, lambda: FinetuneMethod(MethodConfig()).budget),
    "proto_ft_": (EpisodicBudget, lambda: EpisodicBudget.from_options({})),
    "select_": (SelectionSpace, lambda: SelectionSpace.from_options({})),
    "icl_": (ICLOptions, lambda: _icl_read(ICLMethod(MethodConfig()))),
}
UNPREFIXED = {"knowledge": "tkre_"}  # read under its own name by the tkre_ reader
# options no dataclass holds: read where they are used (nota_threshold: by NotaThreshold), checked on their own below
READ_DIRECTLY = {"proto_representation", "nota_threshold", "match_steps"}


def _icl_read(method: ICLMethod) -> ICLOptions:
    return ICLOptions(batch_queries=method.batch_queries, max_demos=method.max_demos,
                      token_budget=method.token_budget, permutations=method.permutations)


def _reader(option_name: str) -> tuple[str, str] | None:
    """(reader prefix, field) of a declared option; None for one read directly."""
    if option_name in UNPREFIXED:
        return UNPREFIXED[option_name], option_name
    for prefix in READERS:
        if option_name.startswith(prefix):
            return prefix, option_name.removeprefix(prefix)
    assert option_name in READ_DIRECTLY, f"--{option_name}: no reader known here; add it to READERS"
    return None


def _declared():
    return [(name, option) for name, spec in sorted(method_specs().items()) for option in spec.options]


def test_every_declared_default_is_what_the_method_reads():
    built = {prefix: make() for prefix, (_, make) in READERS.items()}
    checked = 0
    for name, option in _declared():
        where = _reader(option.name)
        if where is None:
            continue
        prefix, field = where
        assert hasattr(built[prefix], field), f"{name}: --{option.name} is read by no field {field} of {prefix}*"
        value = getattr(built[prefix], field)
        stated = list(option.default) if isinstance(option.default, tuple) else option.default
        assert (list(value) if isinstance(value, tuple) else value) == stated, \
            f"{name}: {option.flag} says {stated!r}, the method reads {value!r}"
        checked += 1
    assert checked >= 70  # tkre and its variants, tkre-desc, proto-ft(-desc), finetune(-synth), icl


def test_no_reading_dataclass_states_a_declared_default_of_its_own():
    declared_fields: dict[str, set[str]] = {prefix: set() for prefix in READERS}
    for _, option in _declared():
        if (where := _reader(option.name)) is not None:
            declared_fields[where[0]].add(where[1])
    for prefix, (cls, _) in READERS.items():
        own = {f.name for f in fields(cls) if f.name in declared_fields[prefix]
               and (f.default is not MISSING or f.default_factory is not MISSING)}
        assert not own, f"{cls.__name__} states defaults for declared options {sorted(own)}: the spec holds them"
        assert declared_fields[prefix], f"no spec declares a {prefix}* option"


def test_methods_declaring_one_option_agree_on_it():
    seen: dict[str, tuple[str, object]] = {}
    for name, option in _declared():
        first = seen.setdefault(option.name, (name, option))
        assert (option.type, option.default, option.choices) == \
            (first[1].type, first[1].default, first[1].choices), f"{name} and {first[0]} declare {option.flag} apart"


def test_proto_reads_the_declared_representation(monkeypatch):
    assert ProtoMethod(MethodConfig()).head.representation == baselines.proto.PROTO_REPRESENTATION.default
    changed = replace(baselines.proto.PROTO_REPRESENTATION, default="marker-mean")
    monkeypatch.setattr(baselines.proto, "PROTO_REPRESENTATION", changed)
    assert ProtoMethod(MethodConfig()).head.representation == "marker-mean"


def test_finetune_synth_reads_the_declared_step_match(monkeypatch):
    import baselines.specs

    assert FinetuneMethod(MethodConfig(), synthetic=True).match_steps == baselines.specs.MATCH_STEPS.default == "tkre"
    monkeypatch.setattr(baselines.specs, "MATCH_STEPS", replace(baselines.specs.MATCH_STEPS, default="none"))
    assert FinetuneMethod(MethodConfig(), synthetic=True).match_steps == "none"
    assert FinetuneMethod(MethodConfig()).match_steps == "none"  # plain finetune keeps its own epochs


@pytest.mark.parametrize("prefix", sorted(READERS))
def test_a_changed_declaration_changes_what_is_read(prefix, monkeypatch):
    """The reader takes the declaration at build time: no copy of the default anywhere else."""
    import baselines.specs
    import tkre.spec

    spec_name = {"tkre_": "TKRE", "finetune_": "FINETUNE", "proto_ft_": "PROTO_FT", "select_": "PROTO_FT",
                 "icl_": "ICL"}[prefix]
    module = tkre.spec if spec_name == "TKRE" else baselines.specs
    spec = getattr(module, spec_name)
    option = next(o for o in spec.options if o.name.startswith(prefix) and o.type is int)
    bumped = replace(option, default=(option.default or 0) + 7)
    _swap_declaration(monkeypatch, option, bumped)
    field = option.name.removeprefix(prefix)
    assert getattr(READERS[prefix][1](), field) == bumped.default


def _swap_declaration(monkeypatch, old, new):
    """Replace the option ``old`` by ``new`` in every spec and option tuple that holds it."""
    import baselines.dev_selection
    import baselines.episodic_training
    import baselines.icl
    import baselines.specs
    import tkre.spec

    for module in (baselines.specs, tkre.spec, baselines.dev_selection, baselines.episodic_training, baselines.icl):
        for attr, value in vars(module).items():
            if isinstance(value, tuple) and old in value:
                monkeypatch.setattr(module, attr, tuple(new if o == old else o for o in value))
            elif dataclasses.is_dataclass(value) and hasattr(value, "options") and old in value.options:
                monkeypatch.setattr(module, attr, replace(value, options=tuple(
                    new if o == old else o for o in value.options)))


def test_nota_threshold_is_one_declaration_that_every_method_reading_it_reads(monkeypatch):
    import baselines.specs
    from baselines.proto_ft import ProtoFinetunedMethod
    from tkre.method import TKREMethod

    declaring = sorted(name for name, option in _declared() if option.name == "nota_threshold")
    assert {"proto", "proto-desc", "proto-ft", "proto-ft-desc", "tkre"} <= set(declaring)
    assert all(option is baselines.specs.NOTA_THRESHOLD for _, option in _declared() if option.name == "nota_threshold")
    builders = (ProtoMethod, ProtoFinetunedMethod, TKREMethod)
    assert [build(MethodConfig()).nota.fixed for build in builders] == [None] * 3  # unset: calibrated on --train
    assert [build(MethodConfig(options={"nota_threshold": 0.4})).nota.fixed for build in builders] == [0.4] * 3
    monkeypatch.setattr(baselines.specs, "NOTA_THRESHOLD", replace(baselines.specs.NOTA_THRESHOLD, default=0.7))
    assert [build(MethodConfig()).nota.fixed for build in builders] == [0.7] * 3
