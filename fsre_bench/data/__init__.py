"""Datasets: loaders into the canonical types, the registry of named datasets (entry points), fetch and verify."""

from __future__ import annotations

from fsre_bench.data.fetch import (
    VerifyRow,
    fetch_dataset,
    fetch_members,
    fetch_spec,
    file_digests,
    verify_datasets,
)
from fsre_bench.data.fewrel import load_pid2name
from fsre_bench.data.loader import (
    DATA_DIR_ENV,
    clear_cache,
    detect_format,
    load_dataset,
    load_file,
    load_group,
    resolve_data_dir,
)
from fsre_bench.data.opennre import load_rel2id
from fsre_bench.data.registry import dataset_groups, dataset_specs, expand_names, get_spec, known_names
from fsre_bench.data.semeval_labels import SEMEVAL_RELATIONS
from fsre_bench.data.spec import DatasetCatalogue, DatasetSpec
from fsre_bench.data.tacred import PTB_UNESCAPE, load_tacred_patch

__all__ = [
    "DATA_DIR_ENV",
    "PTB_UNESCAPE",
    "SEMEVAL_RELATIONS",
    "DatasetCatalogue",
    "DatasetSpec",
    "VerifyRow",
    "clear_cache",
    "dataset_groups",
    "dataset_specs",
    "detect_format",
    "expand_names",
    "fetch_dataset",
    "fetch_members",
    "fetch_spec",
    "file_digests",
    "get_spec",
    "known_names",
    "load_dataset",
    "load_file",
    "load_group",
    "load_pid2name",
    "load_rel2id",
    "load_tacred_patch",
    "resolve_data_dir",
    "verify_datasets",
]
