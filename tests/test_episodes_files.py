"""Episode files: canonical bytes, sha256, round trip, K-shot files, and one-line errors on bad files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import (
    FORMAT,
    build_episodes,
    episode_file_header,
    episode_file_sha256,
    kshot_file_header,
    parse_setting,
    read_episode_file,
    sample_kshot_split,
    write_episode_file,
)
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset
from tests.support.shared_data import SHARED_DATA as SHARED

pytestmark = pytest.mark.usefixtures("shared_data_env")


@pytest.fixture(scope="module")
def val_wiki() -> Dataset:
    return load_dataset("fewrel/val_wiki", data_dir=SHARED)


@pytest.fixture
def episode_file(val_wiki: Dataset, tmp_path: Path) -> tuple[Path, str]:
    setting = parse_setting("5-1", na_rate=0.5)
    episodes = list(build_episodes(val_wiki, protocol="episodic", setting=setting, seed=3, n_episodes=50).episodes)
    header = episode_file_header(val_wiki, protocol="episodic", setting=setting, seed=3, n_episodes=50)
    path = tmp_path / "episodes.jsonl"
    return path, write_episode_file(path, header, episodes)


def _rewrite_line(path: Path, number: int, text: str) -> None:
    lines = path.read_text().splitlines()
    lines[number - 1] = text
    path.write_text("\n".join(lines) + "\n")


def _read_error(path: Path, **kw: object) -> str:
    with pytest.raises(DataError) as info:
        read_episode_file(path, **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_round_trip_header_and_sha(val_wiki: Dataset, episode_file: tuple[Path, str]) -> None:
    path, sha = episode_file
    raw = path.read_bytes()
    assert sha == hashlib.sha256(raw).hexdigest() == episode_file_sha256(path)
    first_line = raw.split(b"\n", 1)[0].decode()
    header = json.loads(first_line)
    assert first_line == json.dumps(header, sort_keys=True, separators=(",", ":"))  # canonical
    assert header == {
        "format": FORMAT, "dataset": "fewrel", "split": "val_wiki", "dataset_sha256": val_wiki.source_sha256,
        "protocol": "episodic", "n_way": 5, "k_shot": 1, "n_query": 1, "na_rate": 0.5, "sampler": "default",
        "seed": 3, "n_episodes": 50,
    }  # fmt: skip
    read_header, episodes = read_episode_file(path, expected_dataset=val_wiki, expected_sha256=sha)
    assert read_header == header
    setting = parse_setting("5-1", na_rate=0.5)
    assert episodes == list(build_episodes(val_wiki, protocol="episodic", setting=setting, seed=3, n_episodes=50).episodes)
    assert [p.name for p in path.parent.iterdir()] == ["episodes.jsonl"]  # no temp files left


def test_kshot_file_round_trip(tmp_path: Path) -> None:
    train = load_dataset("semeval2010/train", data_dir=SHARED)
    test = load_dataset("semeval2010/test", data_dir=SHARED)
    split = sample_kshot_split(train, test, 16, 21)
    header = kshot_file_header(train, test, split, 16, 21)
    assert header["protocol"] == "kshot" and header["train_split"] == "train" and header["n_query"] == 2717
    path = tmp_path / "kshot.jsonl"
    write_episode_file(path, header, [split])
    _, episodes = read_episode_file(path, expected_dataset=test, expected_train_dataset=train)
    assert episodes == [split] and episodes[0].dev == split.dev
    with pytest.raises(
        DataError, match=r"train split built from semeval2010/train .* but the dataset is semeval2010/dev"
    ):
        read_episode_file(path, expected_dataset=test, expected_train_dataset=load_dataset("semeval2010/dev"))
    record = json.loads(path.read_text().splitlines()[1])
    record["support"][0][0] = "semeval2010/train#99999"
    _rewrite_line(path, 2, json.dumps(record))
    message = _read_error(path, expected_dataset=test, expected_train_dataset=train)
    assert "support id 'semeval2010/train#99999' is not in dataset semeval2010/train" in message


def test_sha_mismatch(episode_file: tuple[Path, str]) -> None:
    path, _ = episode_file
    assert "does not match the expected" in _read_error(path, expected_sha256="f" * 64)


def test_dataset_and_dataset_sha_mismatch(episode_file: tuple[Path, str], val_wiki: Dataset) -> None:
    path, _ = episode_file
    other = load_dataset("fewrel/val_semeval", data_dir=SHARED)
    assert "episodes built from fewrel/val_wiki" in _read_error(path, expected_dataset=other)
    header = json.loads(path.read_text().splitlines()[0])
    header["dataset_sha256"] = "0" * 64
    _rewrite_line(path, 1, json.dumps(header))
    assert "rebuild the episodes" in _read_error(path, expected_dataset=val_wiki)


def test_malformed_line_names_file_and_line(episode_file: tuple[Path, str]) -> None:
    path, _ = episode_file
    _rewrite_line(path, 7, '{"id": "3-00005", "relations": [')
    assert "malformed JSON at line 7" in _read_error(path)
    _rewrite_line(path, 7, '{"id": "3-00005"}')
    assert "line 7: episode record lacks relations, support, queries, labels" in _read_error(path)
    _rewrite_line(path, 7, '{"id": "x", "relations": ["P1"], "support": [], "queries": [], "labels": []}')
    assert "line 7: malformed episode" in _read_error(path)


def test_unknown_ids_and_labels(episode_file: tuple[Path, str], val_wiki: Dataset) -> None:
    path, _ = episode_file
    record = json.loads(path.read_text().splitlines()[3])
    record["queries"][0] = "fewrel/val_wiki#99999"
    _rewrite_line(path, 4, json.dumps(record))
    message = _read_error(path, expected_dataset=val_wiki)
    assert (
        "line 4 (episode 3-00002): query id 'fewrel/val_wiki#99999' is not in dataset fewrel/val_wiki"
        in message
    )
    record["labels"][0] = "P999"
    _rewrite_line(path, 4, json.dumps(record))
    assert "gold label 'P999'" in _read_error(path)


def test_truncated_duplicate_and_foreign_files(episode_file: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = episode_file
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")
    assert "header says 50 episodes but the file has 49" in _read_error(path)
    path.write_text("\n".join([*lines[:3], lines[2], *lines[4:]]) + "\n")
    assert "duplicate episode id" in _read_error(path)
    foreign = tmp_path / "foreign.jsonl"
    foreign.write_text('{"format": "something-else"}\n')
    assert "not an fsre-bench episode file" in _read_error(foreign)
    with pytest.raises(DataError, match="cannot read episode file"):
        read_episode_file(tmp_path / "none")


def test_write_checks_the_header(val_wiki: Dataset, tmp_path: Path) -> None:
    episodes = list(build_episodes(
        val_wiki, protocol="episodic", setting=parse_setting("5-1"), seed=0, n_episodes=3
    ).episodes)
    with pytest.raises(DataError, match="header lacks"):
        write_episode_file(tmp_path / "a.jsonl", {"format": FORMAT}, episodes)
    header = episode_file_header(
        val_wiki, protocol="episodic", setting=parse_setting("5-1"), seed=0, n_episodes=4
    )
    with pytest.raises(DataError, match="n_episodes=4 but 3 episodes"):
        write_episode_file(tmp_path / "a.jsonl", header, episodes)
    assert not (tmp_path / "a.jsonl").exists()
