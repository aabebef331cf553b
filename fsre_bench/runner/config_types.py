"""What each run-config field is (its flag, help, type, choices, bounds), declared once on RunConfig's fields.

RunConfig states every setting as ``field(metadata=setting(...))``; the ``run``/``ablate`` flags
(fsre_bench/cli/config_flags.py), the YAML reader (``checked_settings`` below) and the generic part
of ``RunConfig.validate`` are all read from that metadata, so a field added there is a flag, a YAML
key and a checked value at once, and cannot be one without the others.

The YAML check exists because a value of the wrong type would otherwise fail deep inside validation
with Python's words (``'<' not supported between instances of 'str' and 'int'`` for ``episodes: ten``);
here it is one line naming the setting and the type it takes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import MISSING, dataclass
from typing import Any

from fsre_bench.errors import ConfigError

# What a setting holds; the CLI parses a flag's text by it and the YAML reader checks a value against it.
KINDS = ("str", "int", "number", "switch", "str_list", "int_list", "mapping")
_WANTED = {"str": "a string", "int": "an integer", "number": "a number", "switch": "true or false",
           "mapping": "a mapping of option: value"}
_KEY = "fsre_bench.setting"


@dataclass(frozen=True)
class Setting:
    """One run setting's declaration. ``flag``: its CLI flag (None: no flag of its own, e.g. method_options);
    ``help`` may hold ``{default}``; ``minimum``: the least value validation accepts (None: unbounded)."""

    kind: str
    help: str | None = None
    flag: str | None = None
    choices: tuple[str, ...] | None = None
    minimum: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"setting kind {self.kind!r} is not one of {KINDS}")


def setting(kind: str, help: str | None = None, *, flag: str | None = "", choices: tuple[str, ...] | None = None,
            minimum: int | None = None, **field_arguments: Any) -> Any:
    """A RunConfig field declared with its setting; ``flag=""`` names the flag after the field (``--n-query``)."""
    info = Setting(kind, help, flag, choices, minimum)
    return dataclasses.field(metadata={_KEY: info}, **field_arguments)


def declared_settings(cls: type) -> Iterator[tuple[dataclasses.Field, Setting]]:
    """Every field of ``cls`` with its declaration (flag filled in); a field declared without one is an error."""
    for f in dataclasses.fields(cls):
        info = f.metadata.get(_KEY)
        if info is None:
            raise TypeError(f"{cls.__name__}.{f.name} has no setting(...) declaration: declare its flag and kind")
        yield f, (dataclasses.replace(info, flag="--" + f.name.replace("_", "-")) if info.flag == "" else info)


def field_default(f: dataclasses.Field) -> Any:
    """The field's default (its factory called); MISSING for a required field."""
    return f.default_factory() if f.default_factory is not MISSING else f.default


def comma_list(text: str) -> list[str]:
    """A list setting written as text, as its flag and a YAML value take it: ``"5-1, 10-5"`` -> ``["5-1", "10-5"]``."""
    return [item.strip() for item in text.split(",") if item.strip()]


def comma_ints(text: str) -> list[int]:
    """An integer list written as text (``"0,1,2"``); ValueError for an item that is not an integer."""
    return [int(item) for item in comma_list(text)]


def checked_settings(cls: type, data: dict[str, Any], source: str) -> dict[str, Any]:
    """``data`` with list settings given as one value or a comma list (``seeds: 0,1,2``, as the flag takes them)
    made lists; wrong types refused."""
    declared = list(declared_settings(cls))
    required = [f.name for f, _ in declared if field_default(f) is MISSING]
    missing = [name for name in required if data.get(name) is None]
    if missing:
        raise ConfigError(f"{source}: the setting {missing[0]!r} is required (e.g. "
                          f"{'dataset: fewrel/val_wiki' if missing[0] == 'dataset' else 'methods: [proto, random]'})")
    kinds = {f.name: (info.kind, field_default(f) is None) for f, info in declared}
    out = dict(data)
    for name, value in data.items():
        kind, optional = kinds[name]
        if value is None and optional:
            continue
        if kind.endswith("_list"):
            out[name] = _as_list(name, kind, value, source)
        elif not _is_kind(kind, value):
            raise _type_error(source, name, value, _WANTED[kind])
    return out


def _is_kind(kind: str, value: Any) -> bool:
    return {"str": isinstance(value, str), "int": _is_int(value), "number": _is_int(value) or isinstance(value, float),
            "switch": isinstance(value, bool), "mapping": isinstance(value, dict)}[kind]


def _as_list(name: str, kind: str, value: Any, source: str) -> list[Any]:
    ints = kind == "int_list"
    if isinstance(value, str):  # the flag's text: its items are read as the flag reads them
        try:
            return comma_ints(value) if ints else comma_list(value)
        except ValueError:
            raise _type_error(source, name, value, "a list of integers") from None
    items = value if isinstance(value, list) else [value]
    for item in items:
        if (not _is_int(item)) if ints else not isinstance(item, str | int):
            raise _type_error(source, name, value, f"a list of {'integers' if ints else 'strings'}")
    return items if ints else [str(item) for item in items]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_error(source: str, name: str, value: Any, wanted: str) -> ConfigError:
    return ConfigError(f"{source}: setting {name!r} must be {wanted}, got {value!r} ({type(value).__name__})")
