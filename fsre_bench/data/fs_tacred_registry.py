"""FS-TACRED (Sabo et al., TACL 2021) by name: its relation split, its partitions, its official test id files.

Upstream (ofersabo/Few_Shot_transformation_and_sampling, commit cdd41a1e) ships the relation split
``categories_split.json`` and the test episodes as TACRED instance ids, five files per setting
(seeds 160290-160294, 10,000 5-way episodes of 3 queries). The 1-shot files are checked by sha256,
the 5-shot files (not obtainable here) by their git blob ids. ``fs-tacred/{train,dev,test}`` have
no file: each is the user's TACRED split relabelled with the split on load.
"""

from __future__ import annotations

from typing import Any

TACRED_LDC = "LDC2018T24"

FS_TACRED_RAW = (
    "https://raw.githubusercontent.com/ofersabo/Few_Shot_transformation_and_sampling/"
    "cdd41a1e"
)
SPLIT_FILE = "fs-tacred/categories_split"
OFFICIAL_SEEDS = (160290, 160291, 160292, 160293, 160294)
_ONE_SHOT_SHA256 = (
    "c02633f2e57bb8e1a2bb22906cd1576fac668e1e8bc9406f39124c7d78c28542",
    "0d519ff5d3d0d56ac408fbe5ee7d0ef6035c9c6e811e6b6cc0e35e90ec5cb979",
    "178deb483ecb15e5401deaa7da73b55cec12dcb056cfd929a8b560b33879f1c6",
    "a3bc38ea3effd3594185f1ae5ef5b5fa82a1c3cd103b759486520a293aa11873",
    "1df51ad6bb4c2ade6c68b28a102dd2714cfebea396c5f114d8c76bae242ad6bc",
)
_FIVE_SHOT_GIT_BLOB = (
    "446c7ab8c6d3ddc128bd5ef826c45d18e4060974",
    "de6d52d39122650fe22b1b2b6af096f5b3173e21",
    "347349cb66ba7ad22b4c25956921d65702d3314f",
    "d6b8dfe20843cdccd88e6c2aa77b1d9453cf46bf",
    "843851687c29d1e7987b9c4bfb7ca2a5b1a211b5",
)
FS_TACRED_PROTOCOLS = ("natural-nota (FS-TACRED official episodes)",)


def official_file_name(k_shot: int, seed: int) -> str:
    """Upstream's file name of one official test id file."""
    return f"ids_of_5_way_{k_shot}_shots_10K_episodes_3q_seed_{seed}.json"


def official_name(k_shot: int, seed: int) -> str:
    """Our registry name of one official id file: ``fs-tacred/test-5-1-s160290``."""
    return f"fs-tacred/test-5-{k_shot}-s{seed}"


def _id_file(spec: Any, k_shot: int, seed: int, **checks: object) -> Any:
    file_name = official_file_name(k_shot, seed)
    return spec(
        name=official_name(k_shot, seed), relpath=f"fs-tacred/{file_name}", format="fs-tacred-ids",
        license="ids only (no text)", description=f"FS-TACRED official 5-way {k_shot}-shot test episodes, seed {seed}: "
        "10,000 episodes of TACRED test ids, 3 queries each",
        url=f"{FS_TACRED_RAW}/test_episodes/ids_of_episodes/{file_name}", **checks,  # type: ignore[arg-type]
    )


def _partition(spec: Any, split: str, relations: int) -> Any:
    return spec(
        name=f"fs-tacred/{split}", relpath="", format="tacred", license=f"LDC ({TACRED_LDC}) + the split's",
        description=f"FS-TACRED {split}: TACRED {split} with its {relations} split relations kept, every other "
        "relation merged into no_relation", requires=(SPLIT_FILE, f"tacred/{split}"), ldc=TACRED_LDC,
        protocols=("natural-nota (FS-TACRED)",), base=f"tacred/{split}", relation_split=SPLIT_FILE,
    )


def fs_tacred_specs(spec: Any) -> list[Any]:
    """The FS-TACRED entries, built with the registry's ``DatasetSpec`` (passed in: no import cycle)."""
    return [
    spec(
        name=SPLIT_FILE, relpath="fs-tacred/categories_split.json", format="relation-split",
        license="relation names only (no text)",
        description="FS-TACRED relation split: train 25 / dev 6 / test 10 TACRED relations (+ no_relation)",
        url=f"{FS_TACRED_RAW}/categories_split.json",
        sha256="80c7806a3ca835bdaaf5e9f4ae7a790efdfc69b326b50ad1d71859bb0594cf94", size=934,
    ),
    _partition(spec, "train", 25),
    _partition(spec, "dev", 6),
    _partition(spec, "test", 10),
    *(_id_file(spec, 1, seed, sha256=sha, size=3_620_002) for seed, sha in zip(OFFICIAL_SEEDS, _ONE_SHOT_SHA256, strict=True)),
    *(_id_file(spec, 5, seed, git_blob_sha1=blob) for seed, blob in zip(OFFICIAL_SEEDS, _FIVE_SHOT_GIT_BLOB, strict=True)),
    ]  # fmt: skip

FS_TACRED_GROUPS: dict[str, tuple[str, ...]] = {
    "fs-tacred": ("fs-tacred/train", "fs-tacred/dev", "fs-tacred/test"),
    **{f"fs-tacred/test-5-{k}": tuple(official_name(k, seed) for seed in OFFICIAL_SEEDS) for k in (1, 5)},
}
