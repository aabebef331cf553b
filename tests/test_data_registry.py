"""The dataset registry by name: did-you-mean, what a name needs first, licensed data, the shared files' sha256."""

from __future__ import annotations

import hashlib

import pytest

from fsre_bench.data.builtin import TACRED_LDC
from fsre_bench.data.registry import (
    dataset_groups,
    dataset_specs,
    expand_names,
    get_spec,
    known_names,
    licensed_catalogue,
    unknown_name_error,
)
from fsre_bench.errors import ConfigError
from tests.support.shared_data import SHARED_DATA


def test_known_names_are_every_dataset_then_every_group_once() -> None:
    assert known_names() == [*dataset_specs(), *dataset_groups()] and len(set(known_names())) == len(known_names())


def test_shared_files_match_their_registered_checksums() -> None:
    """Every registered file present in the shared data directory is the one its spec pins."""
    checked = 0
    for spec in dataset_specs().values():
        path = SHARED_DATA / spec.relpath if spec.relpath else None
        if path is None or not path.is_file() or spec.sha256 is None:
            continue
        data = path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == spec.sha256, spec.name
        assert spec.size is None or len(data) == spec.size, spec.name
        checked += 1
    assert checked >= 10  # FewRel val splits, Wiki80, SemEval splits, the TACREV patches, FS-TACRED's files


def test_an_unknown_name_suggests_close_ones() -> None:
    message = str(unknown_name_error("fewrel/val_wik"))
    assert message.startswith("unknown dataset 'fewrel/val_wik'. Did you mean: fewrel/val_wiki")
    assert message.endswith("; or pass a file path)")
    assert "Did you mean" not in str(unknown_name_error("zzzzzzzz"))
    assert get_spec("semeval2010/test").format == "opennre"
    with pytest.raises(ConfigError, match=r"unknown dataset 'semeval2010/tset'\. Did you mean: semeval2010/test"):
        get_spec("semeval2010/tset")


def test_a_name_expands_to_what_it_needs_first_without_repeats() -> None:
    assert expand_names("fs-tacred/test") == ["fs-tacred/categories_split", "tacred/test", "fs-tacred/test"]
    group = expand_names("fs-tacred")
    assert group.count("fs-tacred/categories_split") == 1 and group[0] == "fs-tacred/categories_split"
    assert [n for n in group if n.startswith("fs-tacred/") and n != "fs-tacred/categories_split"] == [
        "fs-tacred/train", "fs-tacred/dev", "fs-tacred/test"]
    for name in group:  # everything a name needs comes before it
        assert all(group.index(needed) < group.index(name) for needed in dataset_specs()[name].requires)
    with pytest.raises(ConfigError, match="unknown dataset 'nope'"):
        expand_names("nope")


def test_licensed_data_is_known_by_name_even_loaded_by_path_or_patched() -> None:
    assert licensed_catalogue("tacred", "test") == TACRED_LDC
    assert licensed_catalogue("tacred", "tacred_small") == TACRED_LDC  # a file by path named tacred
    assert licensed_catalogue("tacred+tacrev_patch", "tacred_small") == TACRED_LDC
    assert licensed_catalogue("fs-tacred", "test") == TACRED_LDC
    assert licensed_catalogue("fewrel", "val_wiki") is None and licensed_catalogue("semeval2010", "train") is None
