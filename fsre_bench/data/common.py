"""Shared pieces of the dataset parsers: one-line errors, JSON parsing, mention checks, names."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fsre_bench.bounded_read import read_bounded
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Mention, Relation, RelationInstance


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: JSON's last-wins would silently drop one of two same-named entries
    (a FewRel relation's records replaced by another's), so a repeated key is an error."""
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def parse_json_text(data: bytes | str, path: str, *, line: int | None = None) -> Any:
    """``json.loads`` whose failure (or a key given twice in one object) is a one-line DataError."""
    try:
        return json.loads(data, object_pairs_hook=_refuse_duplicate_keys)
    except _DuplicateKey as exc:
        where = "" if line is None else f"line {line}: "
        raise DataError(f"{path}: {where}key {exc.key!r} appears twice in one JSON object; "
                        "JSON keeps only the last, so one entry would silently replace the other") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}" if line is None else f"line {line} column {exc.colno}"
        raise DataError(f"{path}: malformed JSON at {where}: {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}): {exc.reason}") from None


def read_json_sidecar(path: str | Path, what: str) -> Any:
    """A small JSON side file (rel2id, pid2name, a patch) parsed; unreadable or malformed is a one-line DataError."""
    path = str(path)
    try:
        raw = read_bounded(path, "sidecar")
    except OSError as exc:
        raise DataError(f"{path}: cannot read {what} file ({exc.strerror})") from None
    return parse_json_text(raw, path)


def dataset_from_groups(name: str, split: str, relations: dict[str, Relation],
                        groups: dict[str, list[RelationInstance]], *, sha256: str, path: str,
                        negative_label: str | None = None, entity_types: Iterable[str] = ()) -> Dataset:
    """The Dataset every loader ends with: instances grouped by label, in file order."""
    return Dataset(
        name=name,
        split=split,
        relations=relations,
        instances={label: tuple(group) for label, group in groups.items()},
        source_sha256=sha256,
        source_path=path,
        negative_label=negative_label,
        entity_types=tuple(entity_types),
    )


def record_error(path: str, where: str, problem: str) -> DataError:
    """The error for one bad record: ``<file>: <record>: <problem>``."""
    return DataError(f"{path}: {where}: {problem}")


def require_fields(record: Any, fields: tuple[str, ...], path: str, where: str) -> None:
    """Fail on the first field a record lacks (or on a record that is not an object)."""
    if not isinstance(record, dict):
        raise record_error(path, where, f"expected a JSON object, got {type(record).__name__}")
    for name in fields:
        if name not in record:
            raise record_error(path, where, f"missing field {name!r}")


def require_tokens(tokens: Any, path: str, where: str, field: str) -> tuple[str, ...]:
    """A record's token list as a tuple of strings (non-empty list required)."""
    if not isinstance(tokens, list) or not tokens:
        raise record_error(path, where, f"field {field!r} must be a non-empty list of tokens")
    return tuple(str(tok) for tok in tokens)


def mention_from_positions(positions: Any, n_tokens: int, path: str, where: str, role: str) -> Mention:
    """One mention (token positions, any order) -> sorted unique positions, range-checked."""
    if not isinstance(positions, list) or not positions:
        raise record_error(path, where, f"{role} mention must be a non-empty list of token positions")
    for pos in positions:
        if type(pos) is not int:
            raise record_error(path, where, f"{role} mention position {pos!r} is not an integer")
        if not 0 <= pos < n_tokens:
            raise record_error(
                path, where, f"{role} mention position {pos} out of range for {n_tokens} tokens"
            )
    return tuple(sorted(set(positions)))


def mention_from_span(start: Any, end: Any, n_tokens: int, path: str, where: str, role: str) -> Mention:
    """A half-open ``[start, end)`` span -> its positions, range-checked."""
    if type(start) is not int or type(end) is not int:
        raise record_error(path, where, f"{role} span [{start!r}, {end!r}) must be integers")
    if not 0 <= start < end <= n_tokens:
        raise record_error(path, where, f"{role} span [{start}, {end}) out of range for {n_tokens} tokens")
    return tuple(range(start, end))


_SEPARATORS = re.compile(r"[_\s]+")
_TACRED_PREFIX = {"per": "person", "org": "organization"}


def readable_relation_name(key: str) -> str:
    """A label key made readable: ``per:city_of_birth`` -> ``person: city of birth``."""
    prefix, sep, rest = key.partition(":")
    if sep and prefix in _TACRED_PREFIX:
        return f"{_TACRED_PREFIX[prefix]}: {readable_relation_name(rest)}"
    text = _SEPARATORS.sub(" ", key.replace("/", " or ")).strip()
    return text or key
