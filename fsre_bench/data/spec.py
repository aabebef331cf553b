"""What a dataset registration is: ``DatasetSpec`` (one file or derived dataset) and ``DatasetCatalogue``.

A ``fsre_bench.datasets`` entry point names a catalogue (the built-in one is
``fsre_bench.data.builtin:DATASETS``), a list of specs, or one spec; ``fsre_bench.data.registry``
reads them all once per process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Formats a loadable dataset is parsed as, then the sidecar files' formats (never loaded as a dataset).
LOADABLE_FORMATS = ("fewrel", "opennre", "tacred")
SIDECAR_FORMATS = ("pid2name", "rel2id", "tacred-patch", "relation-split", "fs-tacred-ids")


@dataclass(frozen=True)
class DatasetSpec:
    """One registered file, or (``base`` set) a dataset derived from one by a label patch.

    ``requires`` are files fetched with it (pid2name, rel2id; a derived dataset's patch and base).
    """

    name: str
    relpath: str  # "" for a derived dataset (it has no file of its own)
    format: str  # one of LOADABLE_FORMATS, or a sidecar's (SIDECAR_FORMATS)
    license: str
    description: str
    url: str | None = None
    sha256: str | None = None
    size: int | None = None
    md5: str | None = None
    git_blob_sha1: str | None = None
    requires: tuple[str, ...] = ()
    ldc: str | None = None  # LDC catalogue id where the data is LDC-licensed
    protocols: tuple[str, ...] = ()
    base: str | None = None  # derived: the registered TACRED split it is built from
    patch: str | None = None  # derived: the registered patch applied to ``base`` (None = base unchanged)
    patch_unlisted: str = "keep"  # derived: "keep" (TACREV) or "drop" (Re-TACRED) records the patch omits
    builder: str | None = None  # derived: "module:function(spec, data_dir)" -> Dataset (a loader; its inputs in ``requires``)
    relation_split: str | None = None  # derived (FS-TACRED): the registered split file relabelling ``base``

    @property
    def loadable(self) -> bool:
        """True for datasets (not for the pid2name / rel2id / patch sidecars)."""
        return self.format in LOADABLE_FORMATS

    @property
    def derived(self) -> bool:
        """A dataset built on load (from ``base`` and ``patch``, or by ``builder``), with no file of its own."""
        return self.base is not None or self.builder is not None

    @property
    def dataset_name(self) -> str:
        """``fewrel`` of ``fewrel/val_wiki``: the id prefix of its instances."""
        return self.name.split("/", 1)[0]

    @property
    def split(self) -> str:
        """``val_wiki`` of ``fewrel/val_wiki``."""
        return self.name.split("/", 1)[1]

@dataclass(frozen=True)
class DatasetCatalogue:
    """Datasets (each with its sidecar files) and group aliases, as one entry point registers them.

    ``groups`` maps an alias (``semeval2010``) to the registered names it stands for (train, dev, test
    for ``--protocol kshot``).
    """

    specs: tuple[DatasetSpec, ...]
    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
