"""What a method reads from ``MethodConfig.options``: declared CLI options and the keys it hashes.

A method's registry entry (``MethodSpec``) lists its ``MethodOption``s; ``fsre-bench run --help``
shows them grouped under the method, and the CLI passes the given ones through untouched. The
core never knows a method's flags.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, TypeVar

from fsre_bench.errors import ConfigError

T = TypeVar("T")


@dataclass(frozen=True)
class MethodOption:
    """One option: the key in ``MethodConfig.options`` and its ``--flag`` (the key with ``-`` for ``_``).

    ``default`` is documentation only: a flag not given sets nothing, so a YAML ``method_options``
    value (or the method's own default) stands and the method's config hash is unchanged.
    """

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    choices: tuple[Any, ...] | None = None
    metavar: str | None = None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def is_switch(self) -> bool:
        """A boolean option is a switch (``--icl-batch-queries``), never ``--x true``."""
        return self.type is bool


def select_options(keys: Iterable[str] | None, options: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``options`` named by ``keys`` (an entry ending in ``_`` is a prefix); all of them for None."""
    if keys is None:
        return dict(options)
    keys = tuple(keys)
    return {k: v for k, v in options.items() if any(k == key or (key.endswith("_") and k.startswith(key)) for key in keys)}


def options_dataclass(cls: type[T], options: Mapping[str, Any], prefix: str, declared: Iterable[MethodOption], *,
                      what: str = "", unprefixed: Iterable[str] = (),
                      convert: Mapping[str, Callable[[str, Any], Any]] | None = None) -> T:
    """``cls`` built from the ``<prefix><field>`` options given (and the ``unprefixed`` keys, named as the field);
    every other field a ``declared`` option names takes that option's default, so a default lives in the spec only.

    A None value counts as not given. An unknown ``<prefix>*`` key is one line naming the known ones
    (``what`` names the reader: "unknown TKRE option ..."). ``convert`` maps a field to ``f(key, value)``.
    """
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unprefixed = tuple(unprefixed)
    values = {field: option.default for option in declared
              if (field := _field_of(option.name, prefix, unprefixed)) is not None and field in names}
    for key, value in options.items():
        field = _field_of(key, prefix, unprefixed)
        if field is None or value is None:
            continue
        if field not in names:
            raise ConfigError(f"unknown {what}option {key!r}; known: {', '.join(prefix + k for k in sorted(names))}")
        values[field] = convert[field](key, value) if convert and field in convert else value
    try:
        return cls(**values)
    except TypeError as exc:  # a field neither declared nor defaulted, or a value the class cannot take
        raise ConfigError(f"{prefix.rstrip('_')} options: {exc}") from None


def _field_of(key: str, prefix: str, unprefixed: tuple[str, ...]) -> str | None:
    if key in unprefixed:
        return key
    return key.removeprefix(prefix) if key.startswith(prefix) else None
