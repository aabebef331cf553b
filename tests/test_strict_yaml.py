"""YAML read strictly: a key repeated in one mapping is refused with both lines; merges and safe loading stand."""

from __future__ import annotations

import pytest
import yaml

from fsre_bench.strict_yaml import DuplicateKeyError, load_yaml_strict
from tests.support.cli_helpers import fails_with_one_line


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


@pytest.mark.parametrize("text", [
    "methods: [random]\ndataset: fewrel/val_semeval\nepisodes: 1000\nepisodes: 10\noutput_dir: {out}\n",
    '{{"methods": ["random"], "dataset": "fewrel/val_semeval", "seeds": [0], "seeds": [1], "output_dir": "{out}"}}\n',
    "methods: [random]\ndataset: fewrel/val_semeval\nmethod_options: {{temperature: 0, temperature: 1}}\n"
    "output_dir: {out}\n",
])
def test_a_config_key_given_twice_is_refused_like_json(capsys, tmp_path, text):
    config = tmp_path / "run.yaml"
    config.write_text(text.format(out=tmp_path / "out"))
    fails_with_one_line(capsys, ["run", "--config", str(config)], str(config), "appears twice", "lines")
    assert not (tmp_path / "out").exists()


def test_yaml_merge_keys_may_still_override(tmp_path):
    assert load_yaml_strict("base: &b {a: 1, b: 2}\nrun:\n  <<: *b\n  a: 3\n")["run"] == {"a": 3, "b": 2}



def test_an_unquoted_exponent_number_is_a_float_as_in_yaml_1_2_and_a_quoted_one_stays_text() -> None:
    text = ("lr: 3e-5\nbig: 1.5e3\nneg: -2E+2\ndot: .5e1\nquoted: '3e-5'\ndouble: \"3e-5\"\n"
            "words: [e5, 1e, 12e3x]\nplain: [3, 0.5, 1.0e-3]\n")
    assert yaml.safe_load(text)["lr"] == "3e-5"  # PyYAML's YAML 1.1: a float needs a dot
    assert load_yaml_strict(text) == {"lr": 3e-5, "big": 1500.0, "neg": -200.0, "dot": 5.0, "quoted": "3e-5",
                                      "double": "3e-5", "words": ["e5", "1e", "12e3x"], "plain": [3, 0.5, 1e-3]}
    assert yaml.safe_load("lr: 3e-5") == {"lr": "3e-5"}  # plain safe_load elsewhere is left as it was
