"""YAML read as JSON is: a key given twice in one mapping is refused, not silently last-wins.

A config with ``episodes: 1000`` and, further down, ``episodes: 10`` would otherwise run 10 episodes
with no word; the JSON readers (``data.common.parse_json_text``) refuse the same mistake.
"""

from __future__ import annotations

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


def load_yaml_strict(text: str) -> Any:
    """``yaml.safe_load`` that raises DuplicateKeyError (a YAMLError) for a key repeated in a mapping."""
    return yaml.load(text, Loader=_StrictSafeLoader)
