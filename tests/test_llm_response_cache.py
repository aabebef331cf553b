"""The SQLite reply cache: WAL mode, keys that name everything, safe from many threads and processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from fsre_bench.llm.response_cache import CachedReply, ResponseCache, request_key

MESSAGES = [{"role": "user", "content": "hello"}]
SAMPLING = {"temperature": 0.0, "max_tokens": 8, "top_p": None, "stop": None}


def test_key_changes_with_every_input() -> None:
    base = request_key("http://h/v1", "m", MESSAGES, SAMPLING, None)
    variants = [
        request_key("http://other/v1", "m", MESSAGES, SAMPLING, None),
        request_key("http://h/v1", "m2", MESSAGES, SAMPLING, None),
        request_key("http://h/v1", "m", [{"role": "user", "content": "hello!"}], SAMPLING, None),
        request_key("http://h/v1", "m", MESSAGES, {**SAMPLING, "max_tokens": 9}, None),
        request_key("http://h/v1", "m", MESSAGES, {**SAMPLING, "temperature": 0.5}, None),
        request_key("http://h/v1", "m", MESSAGES, SAMPLING, 0),
        request_key("http://h/v1", "m", MESSAGES, SAMPLING, 1),
    ]
    assert len({base, *variants}) == len(variants) + 1
    assert base == request_key("http://h/v1", "m", [dict(MESSAGES[0])], dict(SAMPLING), None)


def test_put_get_persist_across_connections_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    reply = CachedReply("B", "stop", 12, 1)
    cache.put("k1", "m", reply)
    cache.close()
    again = ResponseCache(path)
    assert again.get("k1") == reply
    assert again.get("missing") is None
    assert len(again) == 1
    again.close()
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_concurrent_writers_from_threads_and_a_second_process(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    script = (
        "import sys; from fsre_bench.llm.response_cache import ResponseCache, CachedReply\n"
        f"c = ResponseCache({str(path)!r})\n"
        "for i in range(200): c.put(f'p{i}', 'm', CachedReply(str(i), None, 1, 1))\n"
    )
    other = subprocess.Popen([sys.executable, "-c", script], env={"PYTHONPATH": str(Path.cwd())})

    def write(prefix: str) -> None:
        for i in range(200):
            cache.put(f"{prefix}{i}", "m", CachedReply(str(i), None, 1, 1))

    threads = [threading.Thread(target=write, args=(f"t{n}-",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert other.wait(timeout=60) == 0
    assert len(cache) == 4 * 200 + 200
    assert cache.get("p199") == CachedReply("199", None, 1, 1)
    cache.close()
