"""A run's config, validated in one place: derived seeds and settings, one-line refusals, dict and YAML round trips."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.protocols import KSHOT_SEEDS
from fsre_bench.runner.config import RunConfig


def _config(**fields) -> RunConfig:
    return RunConfig(**{"methods": ["random"], "dataset": "fewrel/val_wiki", "device": "cpu", **fields})


def test_seeds_and_settings_default_by_protocol() -> None:
    episodic = _config(settings=["5-1", "10-5"])
    assert episodic.effective_seeds == [0] and episodic.setting_names == ["5-1", "10-5"]
    kshot = _config(protocol="kshot", dataset="semeval2010", k_values=[8, 32])
    assert kshot.effective_seeds == list(KSHOT_SEEDS) and kshot.setting_names == ["K=8", "K=32"]
    assert _config(seeds=[3, 1]).effective_seeds == [3, 1]


@pytest.mark.parametrize(("fields", "message"), [
    ({"methods": []}, "no methods given"),
    ({"methods": ["random", "proto", "random"]}, "--methods lists 'random' twice"),
    ({"settings": []}, "--settings gives no setting"),
    ({"settings": ["5-1", "5-01"]}, "--settings lists '5-1' twice"),  # the same N-K spelled twice
    ({"seeds": []}, "--seeds gives no seed"),
    ({"seeds": [0, 0]}, "--seeds lists 0 twice"),
    ({"seeds": [-1]}, "outside the seed range"),
    ({"protocol": "kshot", "k_values": [8, 0]}, "--k needs positive integers, got [8, 0]"),
    ({"protocol": "kshot", "k_values": [8, 8]}, "--k lists 8 twice"),
    ({"protocol": "fewshot"}, "--protocol 'fewshot' is not one of: episodic, natural-nota, kshot"),
    ({"na_rate": 1.0}, "--na-rate is the share of NOTA queries"),
    ({"sampler": "codalab", "na_rate": 0.15}, "--sampler codalab reproduces the official FewRel 1.0 stream"),
    ({"batch_size": 0}, "--batch-size must be an integer >= 1, got 0"),
    ({"batch_size": True}, "--batch-size must be an integer >= 1, got True"),
    ({"episodes": 0}, "--episodes must be >= 1, got 0"),
    ({"n_bootstrap": 99}, "--n-bootstrap must be >= 100, got 99"),
    ({"max_failure_share": 1.5}, "--max-failure-share is a share of queries"),
])
def test_a_bad_config_is_refused_when_built(fields, message) -> None:
    with pytest.raises(ConfigError) as caught:
        _config(**fields)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_to_dict_and_from_dict_round_trip() -> None:
    config = _config(settings=["5-1", "5-5"], seeds=[0, 1], method_options={"proto_representation": "marker-start"})
    data = config.to_dict()
    assert data["settings"] == ["5-1", "5-5"] and data["method_options"] == {"proto_representation": "marker-start"}
    assert RunConfig.from_dict(data) == config


def test_from_dict_takes_comma_strings_and_single_values_and_refuses_wrong_types() -> None:
    config = RunConfig.from_dict({"methods": "random, proto", "dataset": "fewrel/val_wiki", "seeds": 3,
                                  "settings": "5-1,10-1", "device": "cpu"})
    assert (config.methods, config.seeds, config.settings) == (["random", "proto"], [3], ["5-1", "10-1"])
    assert RunConfig.from_dict({"methods": ["random"], "dataset": "d", "seeds": "0,1,2"}).seeds == [0, 1, 2]
    with pytest.raises(ConfigError, match=r"^run\.yaml: setting 'episodes' must be an integer, got '10' \(str\)$"):
        RunConfig.from_dict({"methods": ["random"], "dataset": "d", "episodes": "10"}, source="run.yaml")
    with pytest.raises(ConfigError, match=r"setting 'seeds' must be a list of integers, got \[0, 'x'\]"):
        RunConfig.from_dict({"methods": ["random"], "dataset": "d", "seeds": [0, "x"]})
    with pytest.raises(ConfigError, match=r"^config: unknown setting\(s\) episode, sed; known: "):
        RunConfig.from_dict({"methods": ["random"], "dataset": "d", "episode": 5, "sed": 1})
    with pytest.raises(ConfigError, match=r"the setting 'dataset' is required \(e\.g\. dataset: fewrel/val_wiki\)"):
        RunConfig.from_dict({"methods": ["random"]})


def test_from_yaml_applies_overrides_and_refuses_what_is_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("methods: [random]\ndataset: fewrel/val_wiki\nepisodes: 20\ndevice: cpu\n")
    assert RunConfig.from_yaml(path, {"episodes": 5}) == _config(episodes=5)
    path.write_text("- random\n")
    with pytest.raises(ConfigError, match=r"run\.yaml: a run config must be a mapping of setting: value"):
        RunConfig.from_yaml(path)
    path.write_text("methods: [random\n")
    with pytest.raises(ConfigError, match=r"run\.yaml: cannot read YAML config \("):
        RunConfig.from_yaml(path)


def test_on_this_machine_keeps_an_explicit_device_and_batch_size() -> None:
    config = _config(batch_size=16)
    assert config.on_this_machine() == config
    resolved = _config().on_this_machine()
    assert resolved.device == "cpu" and isinstance(resolved.batch_size, int) and resolved.batch_size >= 1
    assert replace(resolved, batch_size=None) == _config()


def test_a_yaml_config_reads_an_exponent_number_as_a_number_and_the_option_readers_take_it(tmp_path: Path) -> None:
    from baselines.dev_selection import SelectionSpace
    from baselines.episodic_training import EpisodicBudget

    path = tmp_path / "run.yaml"
    path.write_text("methods: [proto-ft]\ndataset: fewrel/val_wiki\nmethod_options:\n  proto_ft_lr: 3e-5\n"
                    "  select_lrs: [1e-5, '3e-5']\n  a_note: '3e-5'\n")
    options = RunConfig.from_yaml(path).method_options
    assert options == {"proto_ft_lr": 3e-5, "select_lrs": [1e-5, "3e-5"], "a_note": "3e-5"}
    assert EpisodicBudget.from_options(options).lr == 3e-5
    assert SelectionSpace.from_options(options).lrs == (1e-5, 3e-5)  # the list reader converts quoted numbers
    with pytest.raises(ConfigError, match=r"option select_lrs=\['fast'\]: give a list of numbers"):
        SelectionSpace.from_options({"select_lrs": ["fast"]})
