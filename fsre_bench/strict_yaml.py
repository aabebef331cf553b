"""YAML read as JSON is: a key given twice in one mapping is refused, not silently last-wins, and ``3e-5`` is a number.

A config with ``episodes: 1000`` and, further down, ``episodes: 10`` would otherwise run 10 episodes
with no word; the JSON readers (``data.common.parse_json_text``) refuse the same mistake.

PyYAML reads YAML 1.1, where a float needs a dot (and a signed exponent): ``proto_ft_lr: 3e-5`` would
stay the string '3e-5' and reach a method as its learning rate. An unquoted number in exponent form is
a float here, as in YAML 1.2's core schema (and JSON); a quoted one stays text. The ``--option KEY=VALUE``
flag reads its VALUE with this same loader, so a config file and the flag read numbers by one rule.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class DuplicateKeyError(yaml.YAMLError):
    """A mapping names one key twice; the message gives the key and both lines."""


class _StrictSafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no python tags) whose mappings refuse repeated keys."""


def _mapping_without_repeats(loader: _StrictSafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    # Only keys written in this mapping count: a merge key (<<) may be overridden on purpose.
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = seen.get(key)
        except TypeError:  # an unhashable key: construct_mapping reports it as YAML does
            break
        if first is not None:
            raise DuplicateKeyError(f"key {key!r} appears twice in one mapping (lines {first} and {line}); "
                                    "YAML keeps only the last, so one value would silently replace the other")
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_StrictSafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_without_repeats)
# Plain scalars only (a quoted one is never resolved); tried after YAML 1.1's own float and int patterns.
EXPONENT_NUMBER = re.compile(r"^[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][-+]?[0-9]+$")
_StrictSafeLoader.add_implicit_resolver("tag:yaml.org,2002:float", EXPONENT_NUMBER, list("-+.0123456789"))


def load_yaml_strict(text: str) -> Any:
    """``yaml.safe_load`` that raises DuplicateKeyError (a YAMLError) for a key repeated in a mapping and reads
    an unquoted exponent-form number (``3e-5``) as a float."""
    return yaml.load(text, Loader=_StrictSafeLoader)
