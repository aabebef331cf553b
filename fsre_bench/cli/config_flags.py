"""The flags that fill RunConfig (``run``/``ablate``: all of them; ``episodes``: those that define episodes),
generated from its fields' declarations.

Each flag's name, help, type and choices come from the field (fsre_bench/runner/config_types.py),
its dest is the field name, and a flag not given is None, so a YAML value (or the field's default)
stands. Nothing here names a setting: a new RunConfig field is a new flag.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.runner.config_types import comma_ints, comma_list, declared_settings, field_default

_TYPES = {"int": int, "number": float}


def add_config_flags(parser: argparse.ArgumentParser, cls: type, *, only: Collection[str] | None = None,
                     skip: Collection[str] = (), required: Collection[str] = (), fill_defaults: bool = False) -> None:
    """One flag per declared field of ``cls`` (those in ``only`` when given, none in ``skip``), in field order.

    ``required``: fields whose flag must be given. ``fill_defaults``: a flag not given holds the field's default
    instead of None, for a command that reads the values itself rather than through a config (no YAML under it).
    """
    for f, info in declared_settings(cls):
        if info.flag is None or f.name in skip or (only is not None and f.name not in only):
            continue
        shown = info.help.format(default=_shown(field_default(f))) if info.help else None
        default = field_default(f) if fill_defaults else None
        if info.kind == "switch":
            parser.add_argument(info.flag, dest=f.name, action="store_true", default=default, help=shown)
        else:
            parser.add_argument(info.flag, dest=f.name, type=_TYPES.get(info.kind), choices=info.choices,
                                required=f.name in required, default=default, help=shown)


def config_values_from_args(args: argparse.Namespace, cls: type) -> dict[str, Any]:
    """The fields of ``cls`` that given flags set (a flag's text of a list split at commas); a flag not given
    (None) sets nothing, and a field with no flag in ``args`` is left out."""
    given: dict[str, Any] = {}
    for f, info in declared_settings(cls):
        value = getattr(args, f.name, None) if info.flag is not None else None
        if value is None:
            continue
        if info.kind == "str_list" and isinstance(value, str):
            value = comma_list(value)
        elif info.kind == "int_list" and isinstance(value, str):
            value = parse_ints(value, info.flag)
        given[f.name] = value
    return given


def parse_ints(text: str, flag: str) -> list[int]:
    try:
        return comma_ints(text)
    except ValueError:
        raise ConfigError(f"{flag} takes comma-separated integers, got {text!r}") from None


def _shown(default: Any) -> str:
    return ",".join(map(str, default)) if isinstance(default, list) else str(default)
