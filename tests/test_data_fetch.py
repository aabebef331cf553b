"""fetch_dataset from a mirror directory and from a real loopback HTTP server; checksums; verify."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from fsre_bench.data import (
    dataset_specs,
    fetch_dataset,
    fetch_spec,
    file_digests,
    load_dataset,
    verify_datasets,
)
from fsre_bench.errors import DataError
from tests.support.shared_data import SHARED_DATA as SHARED


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("FSRE_BENCH_DATA_DIR", str(tmp_path / "data"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture(scope="module")
def http_mirror() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving the shared datasets folder."""
    handler = functools.partial(_QuietHandler, directory=str(SHARED))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*")] if folder.exists() else []


def test_fetch_from_mirror_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = fetch_dataset("fewrel/val_wiki", data, mirror=str(SHARED))
    assert path == data / "fewrel" / "val_wiki.json"
    assert (data / "fewrel" / "pid2name.json").is_file()  # its sidecar comes along
    assert file_digests(path)["sha256"] == dataset_specs()["fewrel/val_wiki"].sha256
    ds = load_dataset("fewrel/val_wiki", data_dir=data)
    assert len(ds) == 11200 and ds.relations["P177"].name == "crosses"


def test_fetch_group_from_loopback_http(tmp_path: Path, http_mirror: str) -> None:
    data = tmp_path / "data"
    folder = fetch_dataset("semeval2010", data, mirror=http_mirror)
    assert folder == data / "semeval2010"
    assert sorted(p.name for p in folder.iterdir()) == ["dev.txt", "rel2id.json", "test.txt", "train.txt"]
    rows = {row.name: row.status for row in verify_datasets(data)}
    assert {
        rows[n] for n in ("semeval2010/train", "semeval2010/dev", "semeval2010/test", "semeval2010/rel2id")
    } == {"ok"}
    assert len(load_dataset("semeval2010/test", data_dir=data)) == 2717


def test_fetch_official_url_path(tmp_path: Path, http_mirror: str) -> None:
    # The spec's own URL (no mirror), pointed at the loopback server instead of GitHub.
    spec = dataclasses.replace(dataset_specs()["fewrel/pid2name"], url=f"{http_mirror}/fewrel/pid2name.json")
    path = fetch_spec(spec, tmp_path / "data")
    assert file_digests(path)["sha256"] == spec.sha256


def test_checksum_mismatch_leaves_nothing_behind(tmp_path: Path, http_mirror: str) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "semeval2010").mkdir(parents=True)
    (mirror / "semeval2010" / "rel2id.json").write_text('{"Other": 0}\n')
    data = tmp_path / "data"
    with pytest.raises(DataError, match=r"checksum mismatch for semeval2010/rel2id .*nothing was written"):
        fetch_dataset("semeval2010/rel2id", data, mirror=str(mirror))
    assert _leftovers(data) == []
    wrong = dataclasses.replace(
        dataset_specs()["fewrel/pid2name"], sha256="0" * 64, url=f"{http_mirror}/fewrel/pid2name.json"
    )
    with pytest.raises(DataError, match="checksum mismatch") as info:
        fetch_spec(wrong, data)
    assert "\n" not in str(info.value)
    assert _leftovers(data) == []


def test_present_and_valid_means_no_work(tmp_path: Path) -> None:
    data = tmp_path / "data"
    path = fetch_dataset("semeval2010/rel2id", data, mirror=str(SHARED))
    stamp = path.stat().st_mtime_ns
    again = fetch_dataset("semeval2010/rel2id", data, mirror=str(tmp_path / "no-such-mirror"))
    assert again == path and path.stat().st_mtime_ns == stamp


def test_corrupt_file_is_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "semeval2010").mkdir(parents=True)
    (data / "semeval2010" / "rel2id.json").write_text("{}")
    assert {r.name: r.status for r in verify_datasets(data)}["semeval2010/rel2id"] == "corrupt"
    fetch_dataset("semeval2010/rel2id", data, mirror=str(SHARED))
    assert {r.name: r.status for r in verify_datasets(data)}["semeval2010/rel2id"] == "ok"


def test_http_404_and_missing_mirror_file(tmp_path: Path, http_mirror: str) -> None:
    spec = dataclasses.replace(dataset_specs()["fewrel/pid2name"], url=f"{http_mirror}/nope/pid2name.json")
    with pytest.raises(DataError, match="cannot download fewrel/pid2name"):
        fetch_spec(spec, tmp_path / "data")
    with pytest.raises(DataError, match="from mirror"):
        fetch_dataset("fewrel/val_semeval", tmp_path / "data", mirror=str(tmp_path / "empty"))


def test_tacred_cannot_be_downloaded_but_a_mirror_of_your_copy_works(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with pytest.raises(DataError) as info:
        fetch_dataset("tacred/train", data)
    message = str(info.value)
    assert "\n" not in message and "LDC" in message and str(data / "tacred" / "train.json") in message
    mirror = tmp_path / "mine"
    (mirror / "tacred").mkdir(parents=True)
    shutil.copy(
        Path(__file__).parent / "fixtures" / "data" / "tacred_small.json", mirror / "tacred" / "train.json"
    )
    assert fetch_dataset("tacred/train", data, mirror=str(mirror)).is_file()
    assert {r.name: r.status for r in verify_datasets(data)}["tacred/train"] == "unverified"
    assert load_dataset("tacred/train", data_dir=data).by_id["tacred/train#0"].label == "per:city_of_birth"


def test_verify_reports_every_registered_file(tmp_path: Path) -> None:
    rows = {row.name: row for row in verify_datasets(SHARED)}
    assert set(rows) == set(dataset_specs())
    for name in ("fewrel/val_wiki", "fewrel/val_semeval", "fewrel/pid2name", "semeval2010/train"):
        assert rows[name].status == "ok", rows[name]
    assert rows["fewrel/train_wiki"].status == "missing"
    assert "fsre-bench data fetch fewrel/train_wiki" in rows["fewrel/train_wiki"].detail
    assert rows["tacred/test"].status == "missing" and "LDC" in rows["tacred/test"].detail


def test_train_wiki_is_checked_by_md5_and_git_blob_sha1(tmp_path: Path) -> None:
    spec = dataset_specs()["fewrel/train_wiki"]
    assert spec.sha256 is None and spec.md5 and spec.git_blob_sha1
    fake = tmp_path / "data" / spec.relpath
    fake.parent.mkdir(parents=True)
    fake.write_text("{}")
    row = {r.name: r for r in verify_datasets(tmp_path / "data")}["fewrel/train_wiki"]
    assert row.status == "corrupt" and "md5" in row.detail
    # the same check passes for a file whose md5 and git blob sha1 are right (computed here independently)
    content = (SHARED / "fewrel" / "pid2name.json").read_bytes()
    git_sha1 = hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()
    like = dataclasses.replace(
        spec, relpath="fewrel/pid2name.json", md5=hashlib.md5(content).hexdigest(), git_blob_sha1=git_sha1
    )
    assert fetch_spec(like, SHARED) == SHARED / "fewrel" / "pid2name.json"  # valid: no work, no error


def test_git_blob_sha1_matches_git(tmp_path: Path) -> None:
    git = shutil.which("git")
    assert git is not None, "git is needed to cross-check the blob hash"
    path = SHARED / "semeval2010" / "rel2id.json"
    expected = subprocess.run(
        [git, "hash-object", str(path)], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert file_digests(path)["git_blob_sha1"] == expected
