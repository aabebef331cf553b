"""What a method reads from ``MethodConfig.options``: declared CLI options and the keys it hashes.

A method's registry entry (``MethodSpec``) lists its ``MethodOption``s; ``fsre-bench run --help``
shows them grouped under the method, and the CLI passes the given ones through untouched. The
core never knows a method's flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


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
