"""Method options: flags named from keys, prefix selection, and option dataclasses whose defaults live in the spec."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.methods.options import MethodOption, options_dataclass, select_options


@dataclass(frozen=True)
class _Options:
    steps: int
    lr: float
    device_batch: int = 8
    nota_threshold: float | None = None


DECLARED = (MethodOption("toy_steps", int, 100), MethodOption("toy_lr", float, 1e-3),
            MethodOption("nota_threshold", float, None), MethodOption("other_key", int, 5))


def test_an_option_is_a_flag_and_a_boolean_one_a_switch() -> None:
    assert MethodOption("icl_batch_queries", bool).flag == "--icl-batch-queries"
    assert MethodOption("icl_batch_queries", bool).is_switch and not MethodOption("toy_steps", int).is_switch


def test_select_options_takes_exact_keys_and_underscore_prefixes() -> None:
    options = {"proto_ft_lr": 1, "proto_ft": 2, "proto_representation": 3, "nota_threshold": 4, "llm": {}}
    assert select_options(("proto_ft_", "nota_threshold"), options) == {"proto_ft_lr": 1, "nota_threshold": 4}
    assert select_options((), options) == {}
    assert select_options(None, options) == options and select_options(None, options) is not options
    assert select_options(iter(["llm"]), options) == {"llm": {}}  # any iterable, read once


def test_fields_not_given_take_the_declared_defaults() -> None:
    built = options_dataclass(_Options, {}, "toy_", DECLARED)
    assert built == _Options(steps=100, lr=1e-3)  # other_key names no field; device_batch keeps the class default
    given = options_dataclass(_Options, {"toy_steps": 7, "toy_lr": None, "proto_x": 1}, "toy_", DECLARED)
    assert given == _Options(steps=7, lr=1e-3)  # None is not given; another family's key is not ours


def test_unprefixed_keys_and_conversions() -> None:
    built = options_dataclass(_Options, {"nota_threshold": "0.5", "toy_steps": "12"}, "toy_", DECLARED,
                              unprefixed=("nota_threshold",),
                              convert={"nota_threshold": lambda key, value: float(value),
                                       "steps": lambda key, value: int(value) * 2})
    assert built == _Options(steps=24, lr=1e-3, nota_threshold=0.5)
    without = options_dataclass(_Options, {"nota_threshold": 0.5}, "toy_", DECLARED)
    assert without.nota_threshold is None  # not listed as unprefixed: not read


def test_an_unknown_prefixed_key_names_the_known_ones() -> None:
    with pytest.raises(ConfigError, match=r"unknown TOY option 'toy_step'; known: toy_device_batch, toy_lr, "
                                          r"toy_nota_threshold, toy_steps"):
        options_dataclass(_Options, {"toy_step": 3}, "toy_", DECLARED, what="TOY ")


def test_a_field_with_no_default_anywhere_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"^toy options: .*missing 1 required positional argument: 'lr'"):
        options_dataclass(_Options, {"toy_steps": 1}, "toy_", (MethodOption("toy_steps", int, 100),))
