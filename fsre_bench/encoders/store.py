"""A content-addressed, on-disk store of embedding vectors (SQLite, one row per vector)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from fsre_bench.sqlite_wal import connect_wal

_SCHEMA = "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, dim INTEGER NOT NULL, data BLOB NOT NULL)"
_QUERY_CHUNK = 500  # SQLite's bound-parameter limit is far above this; keeps statements small


class EmbeddingStore:
    """float32 vectors keyed by a content hash; writes commit per call so a kill loses little."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = connect_wal(path, timeout=60)
        self._conn.execute(_SCHEMA)
        self._conn.commit()

    def get_many(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), _QUERY_CHUNK):
            chunk = list(keys[start:start + _QUERY_CHUNK])
            marks = ",".join("?" * len(chunk))
            for key, dim, data in self._conn.execute(f"SELECT key, dim, data FROM vectors WHERE key IN ({marks})", chunk):
                vector = np.frombuffer(data, dtype=np.float32)
                if vector.shape[0] == dim:  # a torn row is treated as missing and recomputed
                    found[key] = vector
        return found

    def put_many(self, items: dict[str, np.ndarray]) -> None:
        rows = [(k, int(v.shape[0]), np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items.items()]
        with self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO vectors (key, dim, data) VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        return self._conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0]

    def close(self) -> None:
        self._conn.close()
