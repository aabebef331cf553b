"""The built-in dataset catalogue: every name, file, source and checksum pinned, so results that name them still verify.

Moving the table behind the ``fsre_bench.datasets`` entry point changed none of these; a deliberate change
to a built-in dataset updates the pin below and says why in its commit.
"""

from __future__ import annotations

import hashlib
import json

from fsre_bench.data import dataset_groups, dataset_specs
from fsre_bench.data.builtin import DATASETS

# Everything a result, a fetch or a verification depends on (descriptions and licence text excluded).
IDENTITY_FIELDS = ("name", "relpath", "format", "url", "sha256", "size", "md5", "git_blob_sha1", "requires", "ldc",
                   "base", "patch", "patch_unlisted", "builder", "relation_split")
PINNED = "340fef2ff191c656589753717b0d81ad5e2549971e1910aef3306b62a182dc97"  # = main before the move


def identity_digest() -> str:
    rows = [[getattr(spec, field) for field in IDENTITY_FIELDS] for spec in DATASETS.specs]
    return hashlib.sha256(json.dumps([rows, list(DATASETS.groups.items())]).encode()).hexdigest()


def test_the_built_in_datasets_are_unchanged() -> None:
    assert (len(DATASETS.specs), len(DATASETS.groups)) == (44, 7)
    assert identity_digest() == PINNED


def test_the_registry_holds_the_built_in_catalogue_first_and_in_order() -> None:
    assert list(dataset_specs())[:len(DATASETS.specs)] == [spec.name for spec in DATASETS.specs]
    assert all(dataset_specs()[spec.name] is spec for spec in DATASETS.specs)
    assert {group: dataset_groups()[group] for group in DATASETS.groups} == dict(DATASETS.groups)


def test_built_in_sidecars_and_derived_parts_are_registered_names() -> None:
    names = {spec.name for spec in DATASETS.specs}
    for spec in DATASETS.specs:
        assert set(spec.requires) <= names, spec.name
        assert {ref for ref in (spec.base, spec.patch, spec.relation_split) if ref} <= set(spec.requires), spec.name
