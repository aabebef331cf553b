"""YAML read strictly: a key repeated in one mapping is refused with both lines; merges and safe loading stand."""

from __future__ import annotations

import pytest
import yaml

from fsre_bench.strict_yaml import DuplicateKeyError, load_yaml_strict


def test_a_repeated_key_names_the_key_and_both_lines() -> None:
    text = "episodes: 1000\nseeds: [0]\nepisodes: 10\n"
    assert yaml.safe_load(text)["episodes"] == 10  # what plain YAML would silently do
    with pytest.raises(DuplicateKeyError, match=r"key 'episodes' appears twice in one mapping \(lines 1 and 3\)"):
        load_yaml_strict(text)


def test_repeats_are_found_in_nested_mappings_and_only_within_one() -> None:
    with pytest.raises(DuplicateKeyError, match=r"key 'model'.*lines 3 and 4"):
        load_yaml_strict("llm:\n  endpoint: local\n  model: a\n  model: b\n")
    assert load_yaml_strict("a:\n  x: 1\nb:\n  x: 2\n") == {"a": {"x": 1}, "b": {"x": 2}}


def test_a_merge_key_may_be_overridden_on_purpose() -> None:
    text = "base: &base\n  lr: 1\n  steps: 5\nrun:\n  <<: *base\n  lr: 2\n"
    assert load_yaml_strict(text)["run"] == {"lr": 2, "steps": 5}


def test_python_tags_stay_refused_as_in_safe_load() -> None:
    with pytest.raises(yaml.YAMLError):
        load_yaml_strict("!!python/object/apply:os.system ['true']\n")
    assert isinstance(DuplicateKeyError("x"), yaml.YAMLError)
