"""The built-in datasets: where each file lives under the data dir, where it comes from, its checksums.

Registered through the ``fsre_bench.datasets`` entry point ``fsre-bench`` (pyproject.toml), exactly as
a third-party package registers its own.

Checksums come from /work/shared/datasets/README.md. FewRel ``train_wiki.json`` has no known
sha256 here; it is verified by its md5 and its git blob sha1 (sha1 of ``"blob <size>\\0" +
content``, the id git gives the file in thunlp/FewRel) instead.

TACREV and Re-TACRED are *derived* datasets: no file of their own, but a licensed TACRED split
(``base``) plus a public id -> label patch (``patch``, a registered file with a checksum),
applied when the dataset is loaded. ``protocols`` says which evaluation protocols a dataset is
meant for (``fsre-bench ls datasets`` shows them).
"""

from __future__ import annotations

from fsre_bench.data.fs_tacred_registry import FS_TACRED_GROUPS, fs_tacred_specs
from fsre_bench.data.spec import DatasetCatalogue, DatasetSpec

FEWREL_RAW = "https://raw.githubusercontent.com/thunlp/FewRel/master/data"
SEMEVAL_RAW = (
    "https://raw.githubusercontent.com/thunlp/RE-Context-or-Names/master/finetune/supervisedRE/data/semeval"
)
TACREV_RAW = "https://raw.githubusercontent.com/DFKI-NLP/tacrev/master/patch"  # files as of commit 2252b8e4
RETACRED_RAW = "https://raw.githubusercontent.com/gstoica27/Re-TACRED/master/Re-TACRED"
TACRED_LDC = "LDC2018T24"
TACRED_LDC_URL = "https://catalog.ldc.upenn.edu/LDC2018T24"

WIKI80_RAW = (
    "https://raw.githubusercontent.com/thunlp/RE-Context-or-Names/master/finetune/supervisedRE/data/wiki80"
)
OPENNRE_BENCHMARK = "https://thunlp.oss-cn-qingdao.aliyuncs.com/opennre/benchmark"  # download_fewrel.sh's host
EPISODIC = ("episodic", "episodic + NOTA")
TRAINING = ("training relations (--train)",)
DOMAIN_ADAPTATION = ("episodic (FewRel 2.0 DA eval)", "episodic + NOTA")
TACRED_PROTOCOLS = ("kshot", "natural-nota (FS-TACRED)")

def _fewrel(split: str, description: str, license: str, protocols: tuple[str, ...] = EPISODIC,
            requires: tuple[str, ...] = ("fewrel/pid2name",), **checks: object) -> DatasetSpec:
    return DatasetSpec(
        name=f"fewrel/{split}",
        relpath=f"fewrel/{split}.json",
        format="fewrel",
        license=license,
        description=description,
        url=f"{FEWREL_RAW}/{split}.json",
        requires=requires,
        protocols=protocols,
        **checks,  # type: ignore[arg-type]
    )


def _semeval(split: str, description: str, sha256: str, size: int) -> DatasetSpec:
    return DatasetSpec(
        name=f"semeval2010/{split}",
        relpath=f"semeval2010/{split}.txt",
        format="opennre",
        license="CC BY 3.0",
        description=description,
        url=f"{SEMEVAL_RAW}/{split}.txt",
        sha256=sha256,
        size=size,
        requires=("semeval2010/rel2id",),
        protocols=("kshot (group semeval2010)", "natural-nota"),
    )


def _tacred(split: str) -> DatasetSpec:
    return DatasetSpec(
        name=f"tacred/{split}",
        relpath=f"tacred/{split}.json",
        format="tacred",
        license=f"LDC User Agreement ({TACRED_LDC})",
        description=f"TACRED {split} split (the LDC JSON release)",
        ldc=TACRED_LDC,
        protocols=TACRED_PROTOCOLS,
    )


def _patch(name: str, url: str, description: str, license: str, sha256: str, size: int) -> DatasetSpec:
    # Kept under the official file name, so a flat folder of the official files works as a mirror.
    return DatasetSpec(
        name=name, relpath=f"{name.split('/')[0]}/{url.rsplit('/', 1)[1]}", format="tacred-patch", license=license, description=description,
        url=url, sha256=sha256, size=size,
    )


def _derived(name: str, description: str, patch: str | None, unlisted: str = "keep") -> DatasetSpec:
    base = f"tacred/{name.split('/', 1)[1]}"
    return DatasetSpec(
        name=name, relpath="", format="tacred", license=f"LDC ({TACRED_LDC}) + the patch's",
        description=description, requires=(*((patch,) if patch else ()), base), ldc=TACRED_LDC,
        protocols=TACRED_PROTOCOLS, base=base, patch=patch, patch_unlisted=unlisted,
    )


_SPECS = [
    _fewrel(
        "train_wiki", "FewRel 1.0 train: 64 Wikidata relations x 700", "CC BY-SA 4.0",
        md5="5e663e9c3f1bfbdb2de72696e9504fd7", git_blob_sha1="4fee283724b455bab1fcbf76bfdef02283bb44f5",
        protocols=TRAINING,
    ),
    _fewrel(
        "val_wiki", "FewRel 1.0 validation: 16 Wikidata relations x 700", "CC BY-SA 4.0",
        sha256="76bb44c2485b6faed358a3ce040eadafcc8a8835245cd7e6afc1bef672d4a0bf", size=3_534_147,
    ),
    _fewrel(
        "val_semeval", "SemEval-2010 in FewRel format: 17 directional labels, no Other", "CC BY 3.0",
        sha256="fd79cf35481f6596c23b92cd3ded3265481f3027a4b78d99921104f8fe632eb5", size=2_203_006,
    ),
    _fewrel(
        "val_pubmed", "FewRel 2.0 domain adaptation: 10 UMLS relations x 100 (PubMed), keyed by name",
        "see thunlp/FewRel (repo licence: MIT)", protocols=DOMAIN_ADAPTATION,
        requires=(),  # keyed by relation name: no pid2name entries to look up
        sha256="fc0f13b534f6664fe0d8aec231d7590313bc6510d00dbc1b6746147f6a2b46e6", size=432_600,
    ),
    _fewrel(
        "val_nyt", "FewRel 2.0 domain adaptation: 25 Wikidata relations x 100 (New York Times)",
        "see thunlp/FewRel (repo licence: MIT)", protocols=DOMAIN_ADAPTATION,
        sha256="b519adc61a2bab0f05178e33a3cd8f284338b635629493e9e09616ba81bb428e", size=1_032_006,
    ),
    DatasetSpec(
        name="fewrel/pid2name", relpath="fewrel/pid2name.json", format="pid2name",
        license="CC BY-SA 4.0 / CC0", description="744 Wikidata P-ids -> [name, description]",
        url=f"{FEWREL_RAW}/pid2name.json",
        sha256="eeedd25512a8e4c2bc06b78009836d27de81807bcba6ed929debd5cd713c07ea", size=80_278,
    ),
    DatasetSpec(
        name="fewrel/train_opennre", relpath="fewrel/fewrel_train.txt", format="opennre",
        license="CC BY-SA 4.0 (FewRel data)",
        description="FewRel 1.0 train_wiki as OpenNRE JSONL (64 relations by P-id x 700; benchmark/download_fewrel.sh)",
        url=f"{OPENNRE_BENCHMARK}/fewrel/fewrel_train.txt", requires=("fewrel/opennre_rel2id",),
        sha256="6ed0a06e6892bb09334ce783d43c2d29c2fa61d799547f4b4a2bb0d7b7d81ea9", size=16_759_417, protocols=TRAINING,
    ),
    DatasetSpec(
        name="fewrel/opennre_rel2id", relpath="fewrel/fewrel_train_rel2id.json", format="rel2id",
        license="CC BY-SA 4.0", description="the 64 FewRel training P-ids -> ids (OpenNRE)",
        url=f"{OPENNRE_BENCHMARK}/fewrel/fewrel_train_rel2id.json",
        sha256="59c6e1b492d192966ff2685afaae878b481148ee1a4f42384d1720c7d3e43df4", size=759,
    ),
    *(
        DatasetSpec(
            name=f"wiki80/{split}", relpath=f"wiki80/{split}.txt", format="opennre", license="CC BY-SA 4.0 (FewRel data)",
            description=description, url=f"{WIKI80_RAW}/{split}.txt", sha256=sha256, size=size,
            requires=("wiki80/rel2id",), protocols=TRAINING,
        )
        for split, description, sha256, size in (
            ("dev", "Wiki80 validation (FewRel's 80 relations by name x 70; RE-Context-or-Names)",
             "f27fccbaa96f9c4f25fde1cd2e414bdc14e4fce872462e049a0d23a4d3541804", 2_346_457),
            ("train_0.1", "10% sample of Wiki80 train (80 relations x 49)",
             "3cd866c89112915adeef7144eed079545a4fef6a4de74edcb8d2a3a69ab3bb95", 1_633_246),
        )
    ),
    DatasetSpec(
        name="wiki80/rel2id", relpath="wiki80/rel2id.json", format="rel2id", license="CC BY-SA 4.0",
        description="the 80 Wiki80 relation names -> ids", url=f"{WIKI80_RAW}/rel2id.json",
        sha256="070dbe2e818498e887d703d80247a8381b840dd5325e2547f54753a2d9801409", size=1_791,
    ),
    DatasetSpec(
        name="fewrel/train_offline", relpath="", format="fewrel", license="CC BY-SA 4.0 (FewRel data)",
        description="FewRel's 64 training relations (by P-id, pid2name descriptions) from wiki80 dev + train_0.1, "
                    "sentences verbatim in val_wiki dropped (~17% of train_wiki)",
        requires=("fewrel/pid2name", "fewrel/val_wiki", "wiki80/rel2id", "wiki80/dev", "wiki80/train_0.1"),
        protocols=TRAINING, builder="fsre_bench.data.fewrel_offline:build_fewrel_train_offline",
    ),
    _semeval(
        "train", "SemEval-2010 Task 8 train (OpenNRE JSONL, lower-cased)",
        "5a53be5e2dfbf865f77c287deec7b9e8a12be333ffb6157bfb5a692250a06220", 1_903_726,
    ),
    _semeval(
        "dev", "SemEval-2010 Task 8 dev (train + dev = the official 8,000)",
        "a91170e7c19354a895a58e582bf7fad43994467a0d27a8632319a70840b88e02", 435_442,
    ),
    _semeval(
        "test", "SemEval-2010 Task 8 official test (2,717)",
        "1f33efe3db4dc6ff99f52416331682f3ec6759de526786d3629e6b43f8020795", 793_305,
    ),
    DatasetSpec(
        name="semeval2010/rel2id", relpath="semeval2010/rel2id.json", format="rel2id",
        license="CC BY 3.0", description="the 19 SemEval labels incl. Other",
        url=f"{SEMEVAL_RAW}/rel2id.json",
        sha256="0c2c724d3a81fb81b02cd8d5ad0200456041737a4309ab05809d2df5727c2d73", size=550,
    ),
    _tacred("train"),
    _tacred("dev"),
    _tacred("test"),
    _patch(
        "tacrev/dev_patch", f"{TACREV_RAW}/dev_patch.json", "TACREV v1.1 patch of TACRED dev: [{id, relation}]",
        "MIT", "99002976e733e459d6d11ad45464be4e8cc5cbfe4233bca716a2fad66ee421a4", 98_978,
    ),
    _patch(
        "tacrev/test_patch", f"{TACREV_RAW}/test_patch.json", "TACREV v1.1 patch of TACRED test: [{id, relation}]",
        "MIT", "f8816ca47c363f29e37ff5c78186a5a737704e4a14d0dd897023a6e7ab02933f", 58_187,
    ),
    *(
        _patch(
            f"retacred/{split}_patch", f"{RETACRED_RAW}/{split}_id2label.json",
            f"Re-TACRED labels of TACRED {split}: {{id: label}}; unlisted ids are dropped",
            "no licence file (gstoica27/Re-TACRED)", sha256, size,
        )
        for split, sha256, size in (
            ("train", "958d5643abccb70642c40d7b421d950a43ba6ed9cd7868944bcb3e3f1851e3cb", 2_362_716),
            ("dev", "5a733a3dec601e48d08dc2ac0c3d9c00c481ec1bdbd72aa1e9b3bcc81f8489e2", 795_390),
            ("test", "e4ca3b98be56d6485cdf0ddeceb4452c9a4697753f59054ea34dd356a2644a65", 544_051),
        )
    ),
    _derived("tacrev/train", "TACREV train = TACRED train, unpatched (Alt et al. 2020)", None),
    _derived("tacrev/dev", "TACREV dev: TACRED dev relabelled by tacrev/dev_patch", "tacrev/dev_patch"),
    _derived("tacrev/test", "TACREV test: TACRED test relabelled by tacrev/test_patch", "tacrev/test_patch"),
    *(
        _derived(f"retacred/{split}", f"Re-TACRED {split} (Stoica et al. 2021): TACRED {split} relabelled, "
                 "instances absent from the map dropped", f"retacred/{split}_patch", "drop")
        for split in ("train", "dev", "test")
    ),
    *fs_tacred_specs(DatasetSpec),
]  # fmt: skip

# Group aliases: the three splits the K-shot protocol (B) reads.
_GROUPS: dict[str, tuple[str, ...]] = {
    family: (f"{family}/train", f"{family}/dev", f"{family}/test")
    for family in ("semeval2010", "tacred", "tacrev", "retacred")
} | FS_TACRED_GROUPS

DATASETS = DatasetCatalogue(specs=tuple(_SPECS), groups=_GROUPS)
