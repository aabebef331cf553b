"""``fsre-bench episodes build / export``: files with the bytes the library builds, a run's files exported."""

from __future__ import annotations

import json
from pathlib import Path

from fsre_bench.cli.main import main
from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episodes, episodes_text
from fsre_bench.episodes.files import episode_file_sha256


def test_build_writes_the_episodes_the_library_builds(tmp_path: Path, capsys) -> None:
    out = tmp_path / "e.jsonl"
    assert main(["episodes", "build", "--dataset", "fewrel/val_wiki", "--n-way", "10", "--k-shot", "2",
                 "--n-query", "2", "--episodes", "7", "--seed", "9", "--sampler", "default", "--out", str(out)]) == 0
    episodes, header = build_episodes(load_dataset("fewrel/val_wiki"), protocol="episodic", seed=9,
                                      setting=EpisodeSetting(10, 2, n_query=2), n_episodes=7)
    assert out.read_text() == episodes_text(header, episodes)
    assert capsys.readouterr().out.strip().endswith(f"sha256 {episode_file_sha256(out)}")


def test_build_a_kshot_split_from_a_group(tmp_path: Path, capsys) -> None:
    out = tmp_path / "k8-s13.jsonl"
    assert main(["episodes", "build", "--protocol", "kshot", "--dataset", "semeval2010", "--k-shot", "8",
                 "--seed", "13", "--out", str(out)]) == 0
    (split,), header = build_episodes(load_dataset("semeval2010/test"), protocol="kshot", seed=13,
                                      support_pool=load_dataset("semeval2010/train"), k=8)
    assert out.read_text() == episodes_text(header, [split])
    assert capsys.readouterr().out.startswith(f"wrote 1 episode(s) to {out}")


def test_build_refuses_an_output_that_is_a_directory_before_sampling(tmp_path: Path, capsys) -> None:
    assert main(["episodes", "build", "--dataset", "fewrel/val_wiki", "--out", str(tmp_path)]) == 2
    assert "--out" in capsys.readouterr().err


def test_export_prints_each_file_and_writes_the_manifest(tmp_path: Path, capsys) -> None:
    out = tmp_path / "export"
    assert main(["episodes", "export", "--dataset", "fewrel/val_semeval", "--settings", "5-1", "--episodes", "3",
                 "--seeds", "0,1", "--with-text", "--out", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    manifest = json.loads((out / "manifest.json").read_text())
    assert lines[-1] == f"wrote {out / 'manifest.json'}" and len(manifest["files"]) == 2
    for line, entry in zip(lines[:2], manifest["files"], strict=True):
        assert line.startswith(f"5-1 seed {entry['seed']}: {out / entry['episodes']} (sha256 "
                               f"{entry['episodes_sha256'][:12]}); hand out {entry['text']}, keep {entry['gold']}")
