"""OpenNRE JSONL files: relations and ids without a rel2id sidecar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset

pytestmark = pytest.mark.usefixtures("empty_data_env")


def test_opennre_without_rel2id_orders_by_first_appearance(tmp_path: Path) -> None:
    path = tmp_path / "mini.jsonl"
    lines = [
        {
            "token": ["a", "b", "c"],
            "h": {"name": "a", "pos": [0, 1]},
            "t": {"name": "c", "pos": [2, 3]},
            "relation": "r2",
        },
        {
            "token": ["a", "b", "c"],
            "h": {"name": "a", "pos": [0, 1]},
            "t": {"name": "b", "pos": [1, 2]},
            "relation": "Other",
        },
        {
            "token": ["a", "b", "c"],
            "h": {"name": "b", "pos": [1, 2]},
            "t": {"name": "c", "pos": [2, 3]},
            "relation": "r2",
        },
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    ds = load_dataset(str(path))
    assert (ds.name, ds.split) == ("opennre", "mini")
    assert list(ds.relations) == ["r2", "Other"] and ds.negative_label == "Other"
    assert [i.id for i in ds.instances["r2"]] == ["opennre/mini#0", "opennre/mini#2"]

