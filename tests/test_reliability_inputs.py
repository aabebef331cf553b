"""Inputs that used to be accepted silently (and mislabel results) are one line, exit 2, outputs intact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from tests.support.cli_helpers import fails_with_one_line, output_snapshot, valid_run_argv
from tests.support.llm_servers import FaultServer


@pytest.fixture
def finished_out(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """An output directory holding one complete run, and its bytes."""
    out = tmp_path / "out"
    assert main(valid_run_argv(out)) == 0
    return out, output_snapshot(out)


def _still_intact(out: Path, snapshot: dict[str, bytes], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(valid_run_argv(out)) == 0
    capsys.readouterr()
    assert output_snapshot(out) == snapshot


# --- 1. episode files checked against their header ---------------------------------------------

@pytest.fixture
def episodes_5_1(tmp_path: Path) -> Path:
    path = tmp_path / "eps-5-1.jsonl"
    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "4", "--out", str(path)]) == 0
    return path


def _edit(path: Path, header: dict | None = None, episode_line: int | None = None, edit=None) -> Path:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[0].update(header or {})
    if episode_line is not None:
        edit(lines[episode_line - 1])
    out = path.with_name("edited.jsonl")
    out.write_text("".join(json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n" for line in lines))
    return out


def _add_support(record: dict) -> None:
    record["support"][0].append(record["support"][1][0])


@pytest.mark.parametrize(("header", "episode_line", "edit", "field"), [
    ({"n_way": 10}, None, None, "n_way"),  # filed as 10-1 before
    ({"k_shot": 5}, None, None, "k_shot"),  # filed as 5-5 before
    ({}, 3, _add_support, "k_shot"),  # an episode with 2 supports for one relation under k_shot 1
    ({"n_query": 2}, None, None, "n_query"),
    ({"na_rate": 0.5}, None, None, "na_rate"),
])
def test_episode_file_disagreeing_with_its_header(capsys, finished_out, episodes_5_1, header, episode_line, edit, field):
    out, snapshot = finished_out
    bad = _edit(episodes_5_1, header, episode_line, edit)
    line = f"line {episode_line or 2}"
    fails_with_one_line(capsys, ["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes-file",
                                 str(bad), "--output-dir", str(out)], str(bad), line, field)
    _still_intact(out, snapshot, capsys)


def test_files_the_harness_builds_pass_their_own_check(tmp_path):
    from fsre_bench.data import load_dataset
    from fsre_bench.episodes import read_episode_file

    dataset = load_dataset("fewrel/val_semeval")
    builds = [["--n-way", "5", "--k-shot", "2", "--n-query", "2", "--na-rate", "0.3"],
              ["--sampler", "codalab", "--na-rate", "0.5", "--k-shot", "3"],
              ["--protocol", "natural-nota", "--n-query", "4"]]
    for number, flags in enumerate(builds):
        path = tmp_path / f"e{number}.jsonl"
        assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "30", "--out", str(path),
                     *flags]) == 0
        header, episodes = read_episode_file(path, expected_dataset=dataset)
        assert len(episodes) == 30 and header["k_shot"] == len(episodes[0].support[0])
    kshot = tmp_path / "k.jsonl"
    assert main(["episodes", "build", "--protocol", "kshot", "--dataset", "semeval2010", "--k-shot", "8",
                 "--out", str(kshot)]) == 0
    header, (split,) = read_episode_file(kshot)
    assert max(len(group) for group in split.support) == 8


# --- 2. duplicate relation keys ------------------------------------------------------------------

def test_fewrel_json_with_a_relation_key_twice(capsys, finished_out, tmp_path):
    out, snapshot = finished_out
    record = json.dumps({"tokens": ["a", "b", "c"], "h": ["a", "Q1", [[0]]], "t": ["c", "Q2", [[2]]]})
    relations = [f'"rel{r}": [{record}, {record}, {record}]' for r in range(6)] + [f'"rel2": [{record}, {record}]']
    path = tmp_path / "dup.json"
    path.write_text("{" + ", ".join(relations) + "}")
    fails_with_one_line(capsys, ["run", "--methods", "random", "--dataset", str(path), "--episodes", "3",
                                 "--output-dir", str(out)], "dup.json", "'rel2'", "twice")
    _still_intact(out, snapshot, capsys)


# --- 4. repeated seeds, empty settings ----------------------------------------------------------

@pytest.mark.parametrize(("flags", "fragments"), [
    (["--seeds", "0,0"], ("--seeds", "0", "twice")),
    (["--settings", ","], ("--settings", "no setting")),
    (["--seeds", ","], ("--seeds", "no seed")),
    (["--settings", "5-1,5-1"], ("--settings", "'5-1'", "twice")),
])
def test_repeated_or_empty_lists(capsys, finished_out, flags, fragments):
    out, snapshot = finished_out
    argv = valid_run_argv(out)
    for flag, value in zip(flags[::2], flags[1::2], strict=True):
        argv[argv.index(flag) + 1] = value
    fails_with_one_line(capsys, argv, *fragments)
    _still_intact(out, snapshot, capsys)


# --- 5. the device, before any work (random never touches it: the warmest cache there is) --------

@pytest.mark.parametrize(("device", "fragment"), [("tpu:7", "is not a device"), ("cuda:7", "cuda:7")])
def test_device_checked_before_any_work(capsys, finished_out, device, fragment):
    import torch

    if device.startswith("cuda") and torch.cuda.device_count() > 7:
        pytest.fail("this check needs a machine without an 8th CUDA device")
    out, snapshot = finished_out
    fails_with_one_line(capsys, [*valid_run_argv(out), "--device", device], "--device", device, fragment)
    _still_intact(out, snapshot, capsys)


# --- 6. a base URL means remote ------------------------------------------------------------------

def test_icl_with_a_base_url_contacts_it_without_llm_remote(capsys, tmp_path):
    with FaultServer() as server:
        code = main(["run", "--methods", "icl", "--llm-base-url", server.base_url, "--dataset", "fewrel/val_semeval",
                     "--episodes", "2", "--output-dir", str(tmp_path)])
        assert code == 0, capsys.readouterr().err
        assert server.counters.total == 10  # 2 episodes x 5 queries, every one sent to that URL
    (result,) = tmp_path.rglob("n2_seeds0_*.json")
    assert json.loads(result.read_text())["llm"]["base_url"] == server.base_url


@pytest.mark.parametrize("flag", ["--llm-base-url", "--llm-model"])
def test_local_mode_with_a_remote_flag_is_an_error(capsys, tmp_path, flag):
    value = "http://127.0.0.1:9/v1" if flag == "--llm-base-url" else "gpt-4o-mini"
    fails_with_one_line(capsys, ["run", "--methods", "icl", "--llm", "local", flag, value, "--episodes", "2",
                                 "--output-dir", str(tmp_path)], flag, "local")
    assert not any(tmp_path.rglob("*.json"))


# --- unclear messages ----------------------------------------------------------------------------

@pytest.mark.parametrize(("flag", "choices"), [("--protocol", "'episodic', 'natural-nota', 'kshot'"),
                                               ("--sampler", "'default', 'codalab'")])
def test_a_bad_choice_is_one_line_with_the_choices(capsys, tmp_path, flag, choices):
    err = fails_with_one_line(capsys, ["run", "--methods", "random", flag, "nope", "--output-dir", str(tmp_path)],
                              flag, "'nope'", choices)
    assert len(err.splitlines()) == 1 and "usage:" not in err


@pytest.mark.parametrize(("yaml_text", "fragments"), [
    ("methods: [random]\ndataset: fewrel/val_semeval\nepisodes: ten\n", ("'episodes'", "an integer", "'ten'")),
    ("methods: [random]\ndataset: fewrel/val_semeval\nna_rate: lots\n", ("'na_rate'", "a number")),
    ("methods: [random]\ndataset: fewrel/val_semeval\nseeds: [0, one]\n", ("'seeds'", "integers")),
    ("methods: [random]\nepisodes: 5\n", ("'dataset'", "required")),
])
def test_config_file_type_errors_name_the_key(capsys, finished_out, tmp_path, yaml_text, fragments):
    out, snapshot = finished_out
    config = tmp_path / "run.yaml"
    config.write_text(yaml_text + f"output_dir: {out}\n")
    err = fails_with_one_line(capsys, ["run", "--config", str(config)], str(config), *fragments)
    assert "not supported between" not in err and "positional argument" not in err
    _still_intact(out, snapshot, capsys)


# --- 3. method options nobody reads ----------------------------------------------------------------

@pytest.mark.parametrize(("option", "fragments"), [
    ("bogus_key=3", ("'bogus_key'", "no method reads it")),
    ("proto_representaton=marker-mean", ("'proto_representaton'", "Did you mean 'proto_representation'")),
])
def test_an_option_no_method_reads_is_an_error_with_did_you_mean(capsys, finished_out, option, fragments):
    out, snapshot = finished_out
    argv = valid_run_argv(out, "--option", option)
    argv[argv.index("random")] = "random,proto"
    fails_with_one_line(capsys, argv, *fragments)
    _still_intact(out, snapshot, capsys)


def test_an_option_only_another_method_reads_is_named_not_refused(capsys, finished_out):
    out, snapshot = finished_out
    assert main(valid_run_argv(out, "--option", "knowledge=schema")) == 0
    note = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert note.startswith("note: option 'knowledge' is read by ") and " tkre," in note and "not by random" in note
    assert output_snapshot(out) == snapshot  # random does not read it: its result is reused, not recomputed


@pytest.mark.parametrize(("flags", "header", "field"), [
    (["--sampler", "codalab", "--na-rate", "0.5"], {"na_rate": 0.3}, "na_rate"),  # NOTA episodes counted
    (["--sampler", "codalab"], {"n_query": 2}, "n_query"),
    (["--protocol", "natural-nota"], {"n_query": 4}, "n_query"),
    (["--protocol", "natural-nota"], {"na_rate": 0.15}, "na_rate"),
])
def test_other_samplers_are_checked_against_their_header(capsys, tmp_path, flags, header, field):
    built = tmp_path / "built.jsonl"
    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "20", "--out", str(built),
                 *flags]) == 0
    bad = _edit(built, header)
    protocol = ["--protocol", "natural-nota"] if "natural-nota" in flags else []
    fails_with_one_line(capsys, ["run", "--methods", "random", "--dataset", "fewrel/val_semeval", *protocol,
                                 "--episodes-file", str(bad), "--output-dir", str(tmp_path / "out")], str(bad), field)
