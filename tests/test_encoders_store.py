"""The on-disk embedding store (real SQLite): vectors back as written, across connections, torn rows missing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from fsre_bench.encoders.store import EmbeddingStore


def test_vectors_come_back_as_float32_across_connections_and_chunks(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "vectors.sqlite"
    store = EmbeddingStore(path)
    vectors = {f"k{i}": np.arange(4, dtype=np.float64) + i for i in range(1200)}  # more keys than one query chunk
    store.put_many(vectors)
    assert len(store) == 1200
    store.close()
    reopened = EmbeddingStore(path)
    found = reopened.get_many([*vectors, "missing"])
    assert set(found) == set(vectors) and all(v.dtype == np.float32 for v in found.values())
    assert np.array_equal(found["k1199"], np.arange(4, dtype=np.float32) + 1199)
    reopened.put_many({"k0": np.ones(4)})  # replaced, not duplicated
    assert len(reopened) == 1200 and np.array_equal(reopened.get_many(["k0"])["k0"], np.ones(4, dtype=np.float32))
    assert reopened.get_many([]) == {}
    reopened.close()


def test_a_torn_row_reads_as_missing(tmp_path: Path) -> None:
    path = tmp_path / "vectors.sqlite"
    store = EmbeddingStore(path)
    store.put_many({"good": np.ones(3), "torn": np.ones(3)})
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE vectors SET data = ? WHERE key = 'torn'", (np.ones(2, dtype=np.float32).tobytes(),))
    assert set(store.get_many(["good", "torn"])) == {"good"}
    store.close()
