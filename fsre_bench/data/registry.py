"""Named datasets: where each file lives under the data dir, where it comes from, its checksums.

Checksums come from /work/shared/datasets/README.md. FewRel ``train_wiki.json`` has no known
sha256 here; it is verified by its md5 and its git blob sha1 (sha1 of ``"blob <size>\\0" +
content``, the id git gives the file in thunlp/FewRel) instead.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from fsre_bench.errors import ConfigError

FEWREL_RAW = "https://raw.githubusercontent.com/thunlp/FewRel/master/data"
SEMEVAL_RAW = (
    "https://raw.githubusercontent.com/thunlp/RE-Context-or-Names/master/finetune/supervisedRE/data/semeval"
)
TACRED_LDC = "LDC2018T24"
TACRED_LDC_URL = "https://catalog.ldc.upenn.edu/LDC2018T24"


@dataclass(frozen=True)
class DatasetSpec:
    """One registered file. ``requires`` are sidecar files fetched with it (pid2name, rel2id)."""

    name: str
    relpath: str
    format: str  # "fewrel" | "opennre" | "tacred" | "pid2name" | "rel2id"
    license: str
    description: str
    url: str | None = None
    sha256: str | None = None
    size: int | None = None
    md5: str | None = None
    git_blob_sha1: str | None = None
    requires: tuple[str, ...] = ()
    ldc: str | None = None  # LDC catalogue id where the data is LDC-licensed

    @property
    def loadable(self) -> bool:
        """True for datasets (not for the pid2name / rel2id sidecars)."""
        return self.format in ("fewrel", "opennre", "tacred")

    @property
    def dataset_name(self) -> str:
        """``fewrel`` of ``fewrel/val_wiki``: the id prefix of its instances."""
        return self.name.split("/", 1)[0]

    @property
    def split(self) -> str:
        """``val_wiki`` of ``fewrel/val_wiki``."""
        return self.name.split("/", 1)[1]


def _fewrel(split: str, description: str, license: str, **checks: object) -> DatasetSpec:
    return DatasetSpec(
        name=f"fewrel/{split}",
        relpath=f"fewrel/{split}.json",
        format="fewrel",
        license=license,
        description=description,
        url=f"{FEWREL_RAW}/{split}.json",
        requires=("fewrel/pid2name",),
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
    )


def _tacred(split: str) -> DatasetSpec:
    return DatasetSpec(
        name=f"tacred/{split}",
        relpath=f"tacred/{split}.json",
        format="tacred",
        license=f"LDC User Agreement ({TACRED_LDC})",
        description=f"TACRED {split} split (JSON release; TACREV / Re-TACRED via patch=)",
        ldc=TACRED_LDC,
    )


_SPECS = [
    _fewrel(
        "train_wiki", "FewRel 1.0 train: 64 Wikidata relations x 700", "CC BY-SA 4.0",
        md5="5e663e9c3f1bfbdb2de72696e9504fd7", git_blob_sha1="4fee283724b455bab1fcbf76bfdef02283bb44f5",
    ),
    _fewrel(
        "val_wiki", "FewRel 1.0 validation: 16 Wikidata relations x 700", "CC BY-SA 4.0",
        sha256="76bb44c2485b6faed358a3ce040eadafcc8a8835245cd7e6afc1bef672d4a0bf", size=3_534_147,
    ),
    _fewrel(
        "val_semeval", "SemEval-2010 in FewRel format: 17 directional labels, no Other", "CC BY 3.0",
        sha256="fd79cf35481f6596c23b92cd3ded3265481f3027a4b78d99921104f8fe632eb5", size=2_203_006,
    ),
    DatasetSpec(
        name="fewrel/pid2name", relpath="fewrel/pid2name.json", format="pid2name",
        license="CC BY-SA 4.0 / CC0", description="744 Wikidata P-ids -> [name, description]",
        url=f"{FEWREL_RAW}/pid2name.json",
        sha256="eeedd25512a8e4c2bc06b78009836d27de81807bcba6ed929debd5cd713c07ea", size=80_278,
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
]  # fmt: skip

REGISTRY: dict[str, DatasetSpec] = {spec.name: spec for spec in _SPECS}

# Group aliases: the three splits the K-shot protocol (B) reads.
GROUPS: dict[str, tuple[str, ...]] = {
    "semeval2010": ("semeval2010/train", "semeval2010/dev", "semeval2010/test"),
    "tacred": ("tacred/train", "tacred/dev", "tacred/test"),
}


def known_names() -> list[str]:
    """Every registered dataset name and group alias."""
    return [*REGISTRY, *GROUPS]


def unknown_name_error(name: str) -> ConfigError:
    """An unknown dataset name, with a did-you-mean."""
    close = difflib.get_close_matches(name, known_names(), n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ConfigError(
        f"unknown dataset {name!r}.{hint} (known: {', '.join(known_names())}; or pass a file path)"
    )


def get_spec(name: str) -> DatasetSpec:
    """The spec of a registered name (did-you-mean ConfigError otherwise)."""
    spec = REGISTRY.get(name)
    if spec is None:
        raise unknown_name_error(name)
    return spec


def expand_names(name: str) -> list[str]:
    """A dataset or group name -> the registered names it means, sidecars first, no repeats."""
    if name not in REGISTRY and name not in GROUPS:
        raise unknown_name_error(name)
    out: list[str] = []
    for member in GROUPS.get(name, (name,)):
        for needed in (*REGISTRY[member].requires, member):
            if needed not in out:
                out.append(needed)
    return out
