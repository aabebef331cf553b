"""How a result names its method: the options it read and the label built from them.

The runner records both in the result file (schema v2: ``method.options``, ``method.label``), so a
report never imports a method to label a row. Files written before v2 recorded every run-wide
option; ``V1_OPTION_KEYS`` is what each built-in method read then, so those files keep their labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from fsre_bench.methods.options import select_options

_PROTO_KEYS = ("proto_representation", "nota_threshold")
_TKRE_KEYS = ("nota_threshold", "knowledge", "tkre_", "llm")
# Frozen history (the methods' ``option_keys`` when v1 was current): never edit for a new method.
V1_OPTION_KEYS: dict[str, tuple[str, ...]] = {
    "random": (),
    "proto": _PROTO_KEYS,
    "proto-desc": _PROTO_KEYS,
    "proto-ft": (*_PROTO_KEYS, "proto_ft_"),
    "icl": ("llm", "icl_"),
    **{name: _TKRE_KEYS for name in ("tkre", "tkre-no-mslm", "tkre-no-scl", "tkre-no-synth", "tkre-no-knowledge")},
}


def v1_options_read(method_name: str, method_options: dict[str, Any]) -> dict[str, Any]:
    """A v1 file's options narrowed to what its method read; all of them for a method v1 did not ship."""
    return select_options(V1_OPTION_KEYS.get(method_name), method_options)


def variant_options(method_options: dict[str, Any], method_name: str = "") -> list[tuple[str, str]]:
    """Scalar method options, sorted; nested objects (an LLM endpoint config) are not part of the label.

    Options are named after their method family (``proto_representation``, ``icl_batch_queries``,
    ``tkre_stage1_epochs``); the family prefix is dropped because the label already starts with it.
    """
    family = method_name.split("-")[0] + "_"
    scalars = [(key.removeprefix(family), value) for key, value in method_options.items()
               if isinstance(value, str | int | float | bool)]
    return [(key, _short(value)) for key, value in sorted(scalars)]


def method_label(method_name: str, options: Iterable[tuple[str, str]]) -> str:
    """``proto [representation=marker-start]``: the name plus the options that make it a variant."""
    options = list(options)
    if not options:
        return method_name
    return f"{method_name} [{', '.join(f'{k}={v}' for k, v in options)}]"


def _short(value: Any) -> str:
    return json.dumps(value) if isinstance(value, bool) else str(value)
