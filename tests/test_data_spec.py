"""``DatasetSpec`` and ``DatasetCatalogue``: what one registration says about a dataset."""

from __future__ import annotations

from fsre_bench.data.spec import LOADABLE_FORMATS, SIDECAR_FORMATS, DatasetCatalogue, DatasetSpec


def test_a_name_is_family_and_split() -> None:
    spec = DatasetSpec("fewrel/val_wiki", "fewrel/val_wiki.json", "fewrel", "CC BY-SA 4.0", "FewRel val")
    assert (spec.dataset_name, spec.split) == ("fewrel", "val_wiki")
    assert DatasetSpec("fs-tacred/test-5-1-s1", "x.json", "fs-tacred-ids", "", "").split == "test-5-1-s1"


def test_loadable_means_a_dataset_format_and_derived_means_built_on_load() -> None:
    file = DatasetSpec("toy/val", "toy/val.json", "fewrel", "CC0", "a file")
    sidecar = DatasetSpec("toy/rel2id", "toy/rel2id.json", "rel2id", "CC0", "labels")
    patched = DatasetSpec("toy/dev", "", "tacred", "CC0", "patched", base="tacred/dev", patch="toy/patch")
    loaded = DatasetSpec("toy/gen", "", "fewrel", "CC0", "a loader's", builder="toy_data:build")
    assert [s.loadable for s in (file, sidecar, patched, loaded)] == [True, False, True, True]
    assert [s.derived for s in (file, sidecar, patched, loaded)] == [False, False, True, True]
    assert set(LOADABLE_FORMATS).isdisjoint(SIDECAR_FORMATS)


def test_a_catalogue_without_groups() -> None:
    spec = DatasetSpec("toy/val", "toy/val.json", "fewrel", "CC0", "a file")
    assert DatasetCatalogue((spec,)).groups == {}
