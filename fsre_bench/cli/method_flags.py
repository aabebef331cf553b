"""Method flags for ``run`` and ``ablate``, built from the registry: each method's own declaration.

Every registered method's ``MethodSpec.options`` become flags in an argument group named after the
method; an option several methods declare is listed under the first and named in the others' group.
A flag not given sets nothing, so YAML ``method_options`` stand. The shared ``--llm*`` group is the
LLM layer's, added when some registered method uses an LLM.
"""

from __future__ import annotations

import argparse
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.methods.options import MethodOption
from fsre_bench.methods.spec import MethodSpec


def _families() -> list[MethodSpec]:
    """One entry per method (ablation variants take their family's options)."""
    from fsre_bench.methods.registry import method_specs

    return [spec for spec in method_specs().values() if spec.family is None]


def add_method_flags(parser: argparse.ArgumentParser) -> None:
    """A group per method with its declared options, the generic --option, and the --llm* group."""
    listed: dict[str, tuple[str, MethodOption]] = {}  # option name -> (method it is listed under, declaration)
    for spec in _families():
        own = [option for option in spec.options if option.name not in listed]
        elsewhere = [option for option in spec.options if option.name in listed]
        for option in elsewhere:
            _check_same(spec, option, *listed[option.name])
        if not spec.options:
            continue
        also = ", ".join(f"{o.flag} (under {listed[o.name][0]})" for o in elsewhere)
        group = parser.add_argument_group(f"{spec.name}: {spec.summary}", description=f"also reads {also}" if also else None)
        for option in own:
            _add_flag(group, spec, option)
            listed[option.name] = (spec.name, option)
    generic = parser.add_argument_group("any method option")
    generic.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                         help="any method option (repeatable; VALUE parsed as YAML), e.g. --option proto_ft_lr=3e-5")
    if any(spec.uses_llm for spec in _families()):
        from fsre_bench.llm.config import add_llm_arguments

        add_llm_arguments(parser)


def _add_flag(group: argparse._ArgumentGroup, spec: MethodSpec, option: MethodOption) -> None:
    try:
        if option.is_switch:
            group.add_argument(option.flag, dest=option.name, action="store_true", default=None, help=option.help)
            return
        shown = f" (default {option.default})" if option.default is not None and not option.choices else ""
        group.add_argument(option.flag, dest=option.name, type=option.type, default=None, choices=option.choices,
                           metavar=option.metavar, help=option.help + shown)
    except argparse.ArgumentError as exc:
        raise ConfigError(f"method {spec.name!r}: option {option.flag} clashes with another flag ({exc})") from None


def _check_same(spec: MethodSpec, option: MethodOption, owner: str, listed: MethodOption) -> None:
    if (option.type, option.choices) != (listed.type, listed.choices):
        raise ConfigError(f"method {spec.name!r} declares {option.flag} unlike {owner!r} does (type or choices differ)")


def method_options_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """The method options the given flags set: --option pairs, declared flags, and ``llm`` from --llm*."""
    options = _generic_options(getattr(args, "option", []))
    for spec in _families():
        for option in spec.options:
            if getattr(args, option.name, None) is not None:
                options[option.name] = getattr(args, option.name)
    from fsre_bench.llm.run_flags import llm_options_from_args

    options.update(llm_options_from_args(args))
    return options


def _generic_options(pairs: list[str]) -> dict[str, Any]:
    """VALUE read as a config file's value is (fsre_bench/strict_yaml.py: ``3e-5`` a float, quoted text stays text)."""
    import yaml

    from fsre_bench.strict_yaml import load_yaml_strict

    options: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--option takes KEY=VALUE, got {pair!r}")
        try:
            options[key.strip().replace("-", "_")] = load_yaml_strict(value)
        except yaml.YAMLError as exc:
            raise ConfigError(f"--option {pair!r}: VALUE is not YAML ({str(exc).splitlines()[0]})") from None
    return options
