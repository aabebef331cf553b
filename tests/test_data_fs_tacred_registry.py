"""FS-TACRED's registry entries: upstream's file names, our names, partitions built from TACRED and the split."""

from __future__ import annotations

import json

from fsre_bench.data.fs_tacred_registry import (
    FS_TACRED_GROUPS,
    OFFICIAL_SEEDS,
    SPLIT_FILE,
    official_file_name,
    official_name,
)
from fsre_bench.data.registry import dataset_specs
from tests.support.shared_data import SHARED_DATA


def test_official_files_are_named_as_upstream_and_registered_under_ours() -> None:
    assert official_file_name(1, 160290) == "ids_of_5_way_1_shots_10K_episodes_3q_seed_160290.json"
    assert official_name(5, 160294) == "fs-tacred/test-5-5-s160294"
    for k in (1, 5):
        names = FS_TACRED_GROUPS[f"fs-tacred/test-5-{k}"]
        assert names == tuple(official_name(k, seed) for seed in OFFICIAL_SEEDS)
        for seed, name in zip(OFFICIAL_SEEDS, names, strict=True):
            spec = dataset_specs()[name]
            assert spec.relpath == f"fs-tacred/{official_file_name(k, seed)}" and spec.format == "fs-tacred-ids"
            assert spec.url.endswith(f"/test_episodes/ids_of_episodes/{official_file_name(k, seed)}")
            assert (spec.sha256 is not None) or (spec.git_blob_sha1 is not None)  # each file pinned one way
    assert (SHARED_DATA / dataset_specs()[official_name(1, 160290)].relpath).is_file()


def test_partitions_are_tacred_splits_relabelled_by_the_split_file() -> None:
    split = json.loads((SHARED_DATA / dataset_specs()[SPLIT_FILE].relpath).read_text())
    for part in ("train", "dev", "test"):
        spec = dataset_specs()[f"fs-tacred/{part}"]
        assert (spec.base, spec.relation_split, spec.requires) == (f"tacred/{part}", SPLIT_FILE,
                                                                   (SPLIT_FILE, f"tacred/{part}"))
        assert spec.ldc == dataset_specs()[f"tacred/{part}"].ldc and spec.relpath == ""
        relations = [r for r in split[part] if r != "no_relation"]
        assert f"its {len(relations)} split relations kept" in spec.description  # 25 / 6 / 10, as in the file
    assert FS_TACRED_GROUPS["fs-tacred"] == ("fs-tacred/train", "fs-tacred/dev", "fs-tacred/test")
