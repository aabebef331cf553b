"""Every RunConfig field is a `run` flag, a YAML key and a checked value, all from its one declaration.

A field added to RunConfig without an example here fails the first test; a flag added to the CLI by
hand, not through a field, fails the second; a field whose flag or YAML key is not honoured fails
the per-field ones.
"""

from __future__ import annotations

import argparse
from dataclasses import fields

import pytest

from fsre_bench.cli.main import build_parser
from fsre_bench.cli.run_cmd import config_from_args
from fsre_bench.errors import ConfigError
from fsre_bench.methods.registry import method_specs
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.config_types import declared_settings, field_default

# field -> (the flag's text, or None for a switch, and the value it must give); never the field's default
EXAMPLES = {
    "methods": ("random,proto", ["random", "proto"]),
    "dataset": ("semeval2010", "semeval2010"),
    "protocol": ("kshot", "kshot"),
    "settings": ("5-5,10-1", ["5-5", "10-1"]),
    "k_values": ("4,8", [4, 8]),
    "episodes": ("7", 7),
    "seeds": ("3,4", [3, 4]),
    "n_query": ("2", 2),
    "na_rate": ("0.5", 0.5),
    "sampler": ("codalab", "codalab"),
    "episodes_file": ("e.jsonl", "e.jsonl"),
    "episodes_sha256": ("abc", "abc"),
    "train": ("fewrel/train_wiki", "fewrel/train_wiki"),
    "train_leakage": ("drop", "drop"),
    "data_dir": ("d", "d"),
    "output_dir": ("o", "o"),
    "overwrite": ("always", "always"),
    "limit": ("3", 3),
    "encoder": ("x", "x"),
    "device": ("cpu", "cpu"),
    "batch_size": ("8", 8),
    "n_bootstrap": ("200", 200),
    "allow_mixed_provenance": (None, True),
    "fit_per_setting": (None, True),
    "max_failure_share": ("0.5", 0.5),
    "numerics": ("native", "native"),
}
# filled by the method flags and --option (fsre_bench/cli/method_flags.py), not by a flag of its own
NO_FLAG = {"method_options": {"proto_representation": "marker-start"}}
# `run` flags that are not RunConfig fields: the file, the executor (not a config setting), the generic option
NOT_FIELDS = {"help", "config", "executor", "ray_address", "option"}
DECLARED = {f.name: info for f, info in declared_settings(RunConfig)}


def _run_parser() -> argparse.ArgumentParser:
    actions = build_parser()._subparsers._group_actions[0]  # the subcommands
    return actions.choices["run"]


def test_every_field_is_declared_and_has_an_example_that_is_not_its_default():
    assert set(DECLARED) == {f.name for f in fields(RunConfig)}  # declared_settings refuses an undeclared field
    assert set(EXAMPLES) | set(NO_FLAG) == set(DECLARED), "give the new field an example here"
    assert {name for name, info in DECLARED.items() if info.flag is None} == set(NO_FLAG)
    defaults = {f.name: field_default(f) for f in fields(RunConfig)}
    for name, (_, value) in {**EXAMPLES, **{k: (None, v) for k, v in NO_FLAG.items()}}.items():
        assert value != defaults[name], f"{name}: the example is the default, so it proves nothing"


def test_every_run_flag_fills_a_field_or_is_a_known_non_field():
    from fsre_bench.llm.config import add_llm_arguments

    llm = argparse.ArgumentParser()
    add_llm_arguments(llm)
    method_option_dests = {o.name for spec in method_specs().values() for o in spec.options}
    dests = {a.dest for a in _run_parser()._actions}
    stray = dests - set(DECLARED) - NOT_FIELDS - method_option_dests - {a.dest for a in llm._actions}
    assert not stray, f"flags that fill no RunConfig field: {sorted(stray)} (declare them on RunConfig)"
    assert set(EXAMPLES) <= dests


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_flag_sets_its_field(name):
    text, value = EXAMPLES[name]
    flag = DECLARED[name].flag
    argv = ["run", "--methods", "random"] if name != "methods" else ["run"]
    argv += [flag] if text is None else [flag, text]
    config = config_from_args(build_parser().parse_args(argv))
    assert getattr(config, name) == value


@pytest.mark.parametrize("name", sorted({*EXAMPLES, *NO_FLAG}))
def test_the_yaml_key_sets_its_field_and_survives_a_round_trip(name, tmp_path):
    import yaml

    value = NO_FLAG[name] if name in NO_FLAG else EXAMPLES[name][1]
    base = {"methods": ["random"], "dataset": "fewrel/val_wiki"}
    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump({**base, name: value}))
    config = RunConfig.from_yaml(path)
    assert getattr(config, name) == value
    assert RunConfig.from_dict(config.to_dict()) == config  # what a result records reads back (`reproduce`)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_yaml_value_of_the_wrong_kind_is_one_line_naming_the_key(name, tmp_path):
    wrong = {"switch": "yes", "int": "ten", "number": "lots"}.get(DECLARED[name].kind, {"a": 1})
    data = {"methods": ["random"], "dataset": "fewrel/val_wiki", name: wrong}
    with pytest.raises(ConfigError, match=rf"^run.yaml: setting '{name}' must be "):
        RunConfig.from_dict(data, source="run.yaml")


@pytest.mark.parametrize("name", sorted(n for n, info in DECLARED.items() if info.choices))
def test_a_value_outside_the_declared_choices_is_refused(name):
    with pytest.raises(ConfigError, match=rf"^--{name} 'nope' is not one of: {', '.join(DECLARED[name].choices)}$"):
        RunConfig(methods=["random"], dataset="fewrel/val_wiki", **{name: "nope"})


@pytest.mark.parametrize("name", sorted(n for n, info in DECLARED.items() if info.minimum is not None))
def test_a_value_under_the_declared_minimum_is_refused(name):
    low = DECLARED[name].minimum - 1
    with pytest.raises(ConfigError, match=rf"^{DECLARED[name].flag} must be >= {low + 1}, got {low}$"):
        RunConfig(methods=["random"], dataset="fewrel/val_wiki", **{name: low})


def test_help_shows_the_fields_default_where_it_says_so():
    help_text = " ".join(_run_parser().format_help().split())
    assert "episodes per setting and seed (default 1000)" in help_text
    assert "episodic N-K settings, e.g. 5-1,5-5,10-1,10-5 (default 5-1)" in help_text
    assert "{default}" not in help_text


def test_the_device_is_probed_by_the_run_not_by_the_config():
    config = RunConfig(methods=["random"], dataset="fewrel/val_wiki", device="tpu")  # no probe: no error yet
    with pytest.raises(ConfigError, match="--device 'tpu' is not a device"):
        config.on_this_machine()
