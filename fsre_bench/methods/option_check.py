"""Method options nobody reads: a typo (``--option bogus_key=3``) is an error with a did-you-mean.

An option no registered method reads used to be recorded in the config and silently ignored, so
the run looked configured when it was not. An option that only methods outside this run read
(a shared YAML ``method_options`` block, ``--knowledge`` with ``--methods proto``) is allowed but
named in a note, since it changes nothing here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from fsre_bench.errors import ConfigError


def _declared_keys(name: str) -> tuple[str, ...] | None:
    """The option keys method ``name`` reads (entries ending in ``_`` are prefixes); None = all of them."""
    from fsre_bench.methods.registry import resolve_method_class

    return getattr(resolve_method_class(name), "option_keys", None)


def _reads(keys: tuple[str, ...] | None, key: str) -> bool:
    return keys is None or any(key == k or (k.endswith("_") and key.startswith(k)) for k in keys)


def check_method_options(chosen: Iterable[str], options: dict[str, Any]) -> list[str]:
    """Raise for an option no method reads; return one note per option only other methods read."""
    chosen = list(dict.fromkeys(chosen))
    declared = {name: _declared_keys(name) for name in chosen}
    unread = [key for key in options if not any(_reads(keys, key) for keys in declared.values())]
    if not unread:
        return []
    from fsre_bench.methods.registry import available_methods

    for name in available_methods():
        if name not in declared:
            declared[name] = _declared_keys(name)
    notes = []
    for key in unread:
        readers = [name for name, keys in declared.items() if keys is not None and _reads(keys, key)]
        if not readers:
            raise ConfigError(_unknown_message(key, chosen, declared))
        notes.append(f"note: option {key!r} is read by {', '.join(readers)}, not by {', '.join(chosen)}; "
                     "it changes nothing in this run")
    return notes


def _unknown_message(key: str, chosen: list[str], declared: dict[str, tuple[str, ...] | None]) -> str:
    known = sorted({k for keys in declared.values() for k in keys or () if not k.endswith("_")})
    prefixes = sorted({k + "*" for keys in declared.values() for k in keys or () if k.endswith("_")})
    close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (f"unknown method option {key!r}: no method reads it (chosen: {', '.join(chosen)}).{hint} "
            f"Known options: {', '.join(known + prefixes)}")
