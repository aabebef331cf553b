"""Dataset files given by path: the format told from the content, and the name and split a caller sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.data import detect_format, load_dataset
from fsre_bench.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "data"
TACRED = FIXTURES / "tacred_small.json"
pytestmark = pytest.mark.usefixtures("empty_data_env")


def test_name_and_split_override() -> None:
    ds = load_dataset(str(FIXTURES / "fewrel_named.json"), name="mine", split="test")
    assert next(ds.all_instances()).id == "mine/test#0"


def test_detect_format(tmp_path: Path) -> None:
    assert detect_format(TACRED.read_bytes(), str(TACRED))[0] == "tacred"
    assert detect_format((FIXTURES / "fewrel_named.json").read_bytes(), "x.json")[0] == "fewrel"
    jsonl = b'{"token": ["a", "b"], "h": {"pos": [0, 1]}, "t": {"pos": [1, 2]}, "relation": "r"}\n' * 2
    assert detect_format(jsonl, "x.txt")[0] == "opennre"
    assert detect_format(jsonl, "x.json")[0] == "opennre"  # JSONL content under a .json name
    assert detect_format(jsonl[: jsonl.index(b"\n")], "x.json")[0] == "opennre"  # one-line JSONL
    with pytest.raises(DataError, match="unrecognised dataset format"):
        detect_format(b'{"a": 1}', "x.json")

