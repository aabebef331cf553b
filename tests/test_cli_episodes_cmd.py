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


def _episodes_parser(name: str):
    from fsre_bench.cli.main import build_parser

    episodes = build_parser()._subparsers._group_actions[0].choices["episodes"]
    return episodes._subparsers._group_actions[0].choices[name]


def test_the_episode_flags_are_runconfigs_declarations_with_the_defaults_they_always_had() -> None:
    from fsre_bench.cli.episodes_cmd import BUILD_FIELDS, EXPORT_FIELDS
    from fsre_bench.runner.config import RunConfig
    from fsre_bench.runner.config_types import declared_settings

    declared = {f.name: info for f, info in declared_settings(RunConfig)}
    for name, fields in (("export", EXPORT_FIELDS), ("build", BUILD_FIELDS)):
        actions = {a.dest: a for a in _episodes_parser(name)._actions}
        for field in fields:  # the flag, its choices and its help are the field's own
            assert actions[field].option_strings == [declared[field].flag], (name, field)
            assert actions[field].choices == declared[field].choices, (name, field)
        assert actions["dataset"].required
    build = vars(_episodes_parser("build").parse_args(["--dataset", "d", "--out", "o"]))
    assert {k: build[k] for k in (*BUILD_FIELDS, "n_way", "k_shot", "seed")} == {
        "dataset": "d", "protocol": "episodic", "episodes": 1000, "n_query": None, "na_rate": 0.0,
        "sampler": "default", "data_dir": None, "n_way": 5, "k_shot": 1, "seed": 0}


def test_export_builds_the_config_a_run_would_from_the_same_flags(tmp_path: Path, monkeypatch) -> None:
    from fsre_bench.cli import episodes_cmd
    from fsre_bench.external import export

    seen = []
    monkeypatch.setattr(export, "export_episodes", lambda config, *a, **k: seen.append(config) or [])
    parse = _episodes_parser("export").parse_args
    assert episodes_cmd.handle_export(parse(["--dataset", "fewrel/val_wiki", "--out", str(tmp_path)])) == 0
    default = seen.pop()  # what export always defaulted to: 5-1, 1000 episodes, seed 0, K 8,16,32
    assert (default.settings, default.episodes, default.seeds, default.k_values, default.na_rate, default.sampler) == (
        ["5-1"], 1000, None, [8, 16, 32], 0.0, "default")
    args = parse(["--dataset", "semeval2010", "--protocol", "kshot", "--k", "8,16", "--seeds", "13, 21",
                  "--settings", "5-1,5-5", "--episodes", "7", "--n-query", "2", "--na-rate", "0.5",
                  "--data-dir", "d", "--episodes-file", "e.jsonl", "--out", str(tmp_path)])
    assert episodes_cmd.handle_export(args) == 0
    given = seen.pop()
    assert (given.k_values, given.seeds, given.settings, given.episodes, given.n_query, given.na_rate,
            given.data_dir, given.episodes_file) == ([8, 16], [13, 21], ["5-1", "5-5"], 7, 2, 0.5, "d", "e.jsonl")
