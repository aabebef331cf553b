"""Every option default a MethodSpec states (its --help and docs) equals the default of the option dataclass
that reads it: TKRESettings (tkre_*, knowledge), ClassifierBudget (finetune_*), EpisodicBudget (proto_ft_*),
SelectionSpace (select_*). A spec or a dataclass changed alone fails here, for every registered method."""

from __future__ import annotations

from dataclasses import fields

from baselines.dev_selection import SelectionSpace
from baselines.episodic_training import EpisodicBudget
from fsre_bench.methods.registry import method_specs
from fsre_bench.training.classifier import ClassifierBudget
from tkre.settings import TKRESettings

# option prefix -> (the dataclass built from no options, the prefix it strips)
READERS = {
    "tkre_": (TKRESettings.from_options({}), "tkre_"),
    "finetune_": (ClassifierBudget.from_options({}, "finetune_"), "finetune_"),
    "proto_ft_": (EpisodicBudget.from_options({}), "proto_ft_"),
    "select_": (SelectionSpace.from_options({}), "select_"),
}


def _reader_default(option_name: str):
    if option_name == "knowledge":
        return True, TKRESettings().knowledge
    for prefix, (instance, strip) in READERS.items():
        if option_name.startswith(prefix):
            field = option_name.removeprefix(strip)
            assert field in {f.name for f in fields(instance)}, f"{option_name}: no field {field} in {type(instance)}"
            value = getattr(instance, field)
            return True, list(value) if isinstance(value, tuple) else value
    return False, None


def test_every_spec_default_equals_its_dataclass_default():
    checked = 0
    for name, spec in sorted(method_specs().items()):
        for option in spec.options:
            read, default = _reader_default(option.name)
            if not read:
                continue
            stated = list(option.default) if isinstance(option.default, tuple) else option.default
            if stated is None:  # "unset": the dataclass's own default stands, whatever it is
                continue
            assert stated == default, f"{name}: --{option.flag} says {stated!r}, the method uses {default!r}"
            checked += 1
    assert checked >= 60  # tkre and its four variants, tkre-desc, proto-ft(-desc), finetune(-synth)
