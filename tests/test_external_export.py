"""``episodes export`` through its function: the run's own episode files, text and gold apart, licensed text refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cache import file_sha256
from fsre_bench.errors import ConfigError
from fsre_bench.external.export import EXPORT_METHOD, MANIFEST_FORMAT, export_episodes
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.plan import build_episode_sets, load_run_data

TACRED_SMALL = Path(__file__).parent / "fixtures" / "data" / "tacred_small.json"


def _config(**fields) -> RunConfig:
    return RunConfig(**{"methods": [EXPORT_METHOD], "dataset": "fewrel/val_semeval", "settings": ["5-1", "10-1"],
                        "episodes": 4, "device": "cpu", **fields})


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_the_exported_files_are_the_ones_a_run_would_evaluate(tmp_path: Path) -> None:
    exported = export_episodes(_config(), tmp_path / "out", with_text=False, licensed_copy=None)
    planned = build_episode_sets(_config(), load_run_data(_config()))
    assert [(e.setting, e.seed, e.sha256) for e in exported] == [(p.setting, p.seed, p.sha256) for p in planned]
    assert all(file_sha256(e.episodes) == e.sha256 and e.text is None and e.gold is None for e in exported)
    assert exported[0].episodes.name == "fewrel_val_semeval-episodic-5-1-s0.episodes.jsonl"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["format"], manifest["dataset"], manifest["licence"], manifest["hand_out"]) == \
        (MANIFEST_FORMAT, "fewrel/val_semeval", None, [])
    assert manifest["keep_private"] == [e.episodes.name for e in exported]


def test_text_is_handed_out_and_gold_kept_private(tmp_path: Path) -> None:
    (one,) = export_episodes(_config(settings=["5-1"], na_rate=0.2), tmp_path, with_text=True, licensed_copy=None)
    header, *texts = _jsonl(one.text)
    assert header["episode_file_sha256"] == one.sha256 and header["nota_possible"] is True
    episodes = _jsonl(one.episodes)[1:]
    gold_header, *gold = _jsonl(one.gold)
    assert gold_header["episode_file_sha256"] == one.sha256
    assert [g["labels"] for g in gold] == [e["labels"] for e in episodes]
    assert [t["episode_id"] for t in texts] == [e["id"] for e in episodes]
    assert '"labels"' not in one.text.read_text() and "fewrel/val_semeval#" not in one.text.read_text()
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["hand_out"] == [one.text.name] and manifest["keep_private"] == [one.episodes.name, one.gold.name]


def test_licensed_text_comes_only_from_the_users_own_copy(tmp_path: Path) -> None:
    config = _config(dataset=str(TACRED_SMALL), protocol="natural-nota", settings=["2-1"], episodes=2)
    with pytest.raises(ConfigError, match=r"tacred/tacred_small is licensed data \(LDC2018T24\): its text is exported "
                                          r"only from your own copy; pass --licensed-copy PATH"):
        export_episodes(config, tmp_path / "refused", with_text=True, licensed_copy=None)
    assert not (tmp_path / "refused").exists()
    ids_only = export_episodes(config, tmp_path / "ids", with_text=False, licensed_copy=None)
    assert json.loads((tmp_path / "ids" / "manifest.json").read_text())["licence"] == "LDC2018T24"
    (own,) = export_episodes(_config(dataset="x", protocol="natural-nota", settings=["2-1"], episodes=2),
                             tmp_path / "own", with_text=True, licensed_copy=TACRED_SMALL)
    assert own.sha256 == ids_only[0].sha256 and own.text.is_file()
