"""Method options nobody reads: a typo (``--option bogus_key=3``) is an error with a did-you-mean.

An option no registered method reads used to be recorded in the config and silently ignored, so
the run looked configured when it was not. What a method reads comes from its registry entry
(``MethodSpec``: declared ``options``, ``reads`` with ``_``-ending prefixes, ``llm`` when it uses
one), so nothing here imports a method. An option that only methods outside this run read (a shared
YAML ``method_options`` block, ``--knowledge`` with ``--methods proto``) is allowed but named in a
note, since it changes nothing here.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.methods.spec import MethodSpec

# A key under a read prefix (icl_*) that is this close to a declared option is a typo of it, not
# one of the undeclared prefix options a method may read (proto_ft_lr).
_TYPO_RATIO = 0.9


def check_method_options(chosen_specs: Iterable[MethodSpec], options: dict[str, Any]) -> list[str]:
    """Raise for an option no method reads (or a near-miss of a declared one); one note per option only others read.

    ``chosen_specs``: the run's methods, as the run resolved them (the registry is asked only for the others).
    """
    from fsre_bench.methods.registry import method_specs

    by_name = {spec.name: spec for spec in chosen_specs}
    chosen = list(by_name)
    everyone = method_specs()
    declared = sorted({name for spec in everyone.values() for name in _exact_keys(spec)})
    notes = []
    for key in options:
        typo = _near_miss(key, declared)
        if typo is not None:
            raise ConfigError(f"unknown method option {key!r}. Did you mean {typo!r}?")
        if any(_reads(spec, key) for spec in by_name.values()):
            continue
        readers = [name for name, spec in everyone.items() if spec.reads is not None and _reads(spec, key)]
        if not readers:
            raise ConfigError(_unknown_message(key, chosen, everyone.values(), declared))
        notes.append(f"note: option {key!r} is read by {', '.join(readers)}, not by {', '.join(chosen)}; "
                     "it changes nothing in this run")
    return notes


def _exact_keys(spec: MethodSpec) -> set[str]:
    keys = {option.name for option in spec.options} | {k for k in spec.reads or () if not k.endswith("_")}
    return keys | ({"llm"} if spec.uses_llm else set())


def _reads(spec: MethodSpec, key: str) -> bool:
    if spec.reads is None:
        return True
    return key in _exact_keys(spec) or any(p.endswith("_") and key.startswith(p) for p in spec.reads)


def _near_miss(key: str, declared: list[str]) -> str | None:
    if key in declared:
        return None
    close = difflib.get_close_matches(key, declared, n=1, cutoff=_TYPO_RATIO)
    return close[0] if close else None


def _unknown_message(key: str, chosen: list[str], specs: Iterable[MethodSpec], declared: list[str]) -> str:
    prefixes = sorted({p + "*" for spec in specs for p in spec.reads or () if p.endswith("_")})
    close = difflib.get_close_matches(key, declared, n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return (f"unknown method option {key!r}: no method reads it (chosen: {', '.join(chosen)}).{hint} "
            f"Known options: {', '.join(declared + prefixes)}")
