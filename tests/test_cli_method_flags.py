"""Method flags built from the registry: a group per method, shared options listed once, given flags only."""

from __future__ import annotations

import argparse

import pytest

from fsre_bench.cli.method_flags import add_method_flags, method_options_from_args
from fsre_bench.errors import ConfigError
from fsre_bench.methods.registry import method_specs


@pytest.fixture(scope="module")
def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    add_method_flags(parser)
    return parser


def test_every_declared_option_is_a_flag_in_the_first_group_that_declares_it(parser) -> None:
    groups = {group.title: group for group in parser._action_groups}
    flags = {action.dest for action in parser._actions}
    for spec in method_specs().values():
        assert all(option.name in flags for option in spec.options), spec.name
    proto = groups[f"proto: {method_specs()['proto'].summary}"]
    proto_ft = groups[f"proto-ft: {method_specs()['proto-ft'].summary}"]
    assert "--nota-threshold" in {s for a in proto._group_actions for s in a.option_strings}
    assert "--nota-threshold (under proto)" in proto_ft.description  # listed once, named in the others
    assert not any(title.startswith(("tkre-no-", "random:")) for title in groups)  # variants; no options


def test_only_given_flags_set_options_and_switches_are_true(parser) -> None:
    assert method_options_from_args(parser.parse_args([])) == {}
    given = method_options_from_args(parser.parse_args(["--proto-representation", "marker-start",
                                                        "--icl-batch-queries", "--icl-max-demos", "3"]))
    assert given == {"proto_representation": "marker-start", "icl_batch_queries": True, "icl_max_demos": 3}
    with pytest.raises(SystemExit):
        parser.parse_args(["--proto-representation", "no-such-choice"])


def test_generic_options_are_yaml_values_with_dashes_made_underscores(parser) -> None:
    args = parser.parse_args(["--option", "proto-ft-lr=3e-5", "--option", "select_refit=all",
                              "--option", "tkre_scl_direct_anchors=true", "--option", "x=[1, 2]"])
    assert method_options_from_args(args) == {"proto_ft_lr": 3e-5, "select_refit": "all",
                                              "tkre_scl_direct_anchors": True, "x": [1, 2]}
    for bad in ("proto_ft_lr", "=3", " =3"):
        with pytest.raises(ConfigError, match=r"--option takes KEY=VALUE, got"):
            method_options_from_args(parser.parse_args(["--option", bad]))


def test_an_exponent_number_is_a_float_as_the_declared_flag_makes_it(parser) -> None:
    """PyYAML (YAML 1.1) reads ``3e-5`` as a string; the help's own example must reach a method as a number."""
    generic = method_options_from_args(parser.parse_args(["--option", "proto_ft_lr=3e-5", "--option", "a=-2E+2"]))
    declared = method_options_from_args(parser.parse_args(["--proto-ft-lr", "3e-5"]))
    assert generic == {"proto_ft_lr": 3e-5, "a": -200.0} and declared == {"proto_ft_lr": 3e-5}
    assert method_options_from_args(parser.parse_args(["--option", 'x="3e-5"'])) == {"x": "3e-5"}  # quoted: text


def test_a_generic_option_is_read_by_the_config_files_yaml_rule(parser) -> None:
    """One number rule for --option and YAML configs (fsre_bench/strict_yaml.py); a malformed VALUE is one line."""
    from fsre_bench.strict_yaml import load_yaml_strict

    for value in ("3e-5", "'3e-5'", "1.5e3", "[1e-5, 2e-5]", "{a: 1e-3}"):
        assert method_options_from_args(parser.parse_args(["--option", f"k={value}"])) == {"k": load_yaml_strict(value)}
    with pytest.raises(ConfigError, match=r"^--option 'k=\[1': VALUE is not YAML \("):
        method_options_from_args(parser.parse_args(["--option", "k=[1"]))
    with pytest.raises(ConfigError, match=r"VALUE is not YAML \(key 'a' appears twice"):
        method_options_from_args(parser.parse_args(["--option", "k={a: 1, a: 2}"]))
