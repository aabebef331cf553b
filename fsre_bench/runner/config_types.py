"""Types of a run config's settings, checked before RunConfig is built from a YAML mapping.

Without this a value of the wrong type fails deep inside validation with Python's words
(``'<' not supported between instances of 'str' and 'int'`` for ``episodes: ten``); here it is
one line naming the setting and the type it takes.
"""

from __future__ import annotations

from typing import Any

from fsre_bench.errors import ConfigError

_INT = ("episodes", "batch_size", "n_bootstrap", "limit", "n_query")
_NUMBER = ("na_rate", "max_failure_share")
_STR = ("dataset", "protocol", "sampler", "episodes_file", "episodes_sha256", "train", "train_leakage", "data_dir",
        "output_dir", "overwrite", "encoder", "device", "numerics")
_STR_LIST = ("methods", "settings")
_INT_LIST = ("k_values", "seeds")
_OPTIONAL = ("limit", "n_query", "seeds", "episodes_file", "episodes_sha256", "train", "data_dir", "encoder")
REQUIRED = ("methods", "dataset")


def checked_settings(data: dict[str, Any], source: str) -> dict[str, Any]:
    """``data`` with list settings given as one value or a comma list made lists; wrong types refused."""
    missing = [name for name in REQUIRED if data.get(name) is None]
    if missing:
        raise ConfigError(f"{source}: the setting {missing[0]!r} is required (e.g. "
                          f"{'dataset: fewrel/val_wiki' if missing[0] == 'dataset' else 'methods: [proto, random]'})")
    out = dict(data)
    for name, value in data.items():
        if value is None and name in _OPTIONAL:
            continue
        if name in _STR_LIST or name in _INT_LIST:
            out[name] = _as_list(name, value, source)
        elif name in _INT and not _is_int(value):
            raise _type_error(source, name, value, "an integer")
        elif name in _NUMBER and not (_is_int(value) or isinstance(value, float)):
            raise _type_error(source, name, value, "a number")
        elif name in _STR and not isinstance(value, str):
            raise _type_error(source, name, value, "a string")
        elif name == "method_options" and not isinstance(value, dict):
            raise _type_error(source, name, value, "a mapping of option: value")
    return out


def _as_list(name: str, value: Any, source: str) -> list[Any]:
    items = [item.strip() for item in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, list):
        items = [items]
    wanted = "integers" if name in _INT_LIST else "strings"
    for item in items:
        if (not _is_int(item)) if name in _INT_LIST else not isinstance(item, str | int):
            raise _type_error(source, name, value, f"a list of {wanted}")
    return [str(item) for item in items] if name in _STR_LIST else items


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _type_error(source: str, name: str, value: Any, wanted: str) -> ConfigError:
    return ConfigError(f"{source}: setting {name!r} must be {wanted}, got {value!r} ({type(value).__name__})")
