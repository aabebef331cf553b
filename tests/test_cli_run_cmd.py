"""``fsre-bench run`` flags into a RunConfig (YAML, overrides, method options), the executor flags, a real run."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.cli.main import build_parser, main
from fsre_bench.cli.run_cmd import config_from_args, executor_from_args
from fsre_bench.errors import ConfigError


def _args(*argv: str):
    return build_parser().parse_args(["run", *argv])


def test_flags_make_the_config_and_the_dataset_defaults_by_protocol() -> None:
    config = config_from_args(_args("--methods", "random,proto", "--settings", "5-1,10-5", "--seeds", "0,1",
                                    "--device", "cpu", "--proto-representation", "marker-start"))
    assert (config.methods, config.dataset, config.settings, config.seeds) == (["random", "proto"], "fewrel/val_wiki",
                                                                              ["5-1", "10-5"], [0, 1])
    assert config.method_options == {"proto_representation": "marker-start"}
    kshot = config_from_args(_args("--methods", "proto", "--protocol", "kshot", "--k", "8", "--device", "cpu"))
    assert (kshot.dataset, kshot.k_values) == ("semeval2010", [8])
    with pytest.raises(ConfigError, match=r"--methods is required \(e\.g\. --methods proto,random\), or give --config"):
        config_from_args(_args("--dataset", "fewrel/val_wiki"))


def test_a_config_file_takes_flags_as_overrides_and_merges_method_options(tmp_path: Path) -> None:
    path = tmp_path / "run.yaml"
    path.write_text("methods: [proto]\ndataset: fewrel/val_semeval\nepisodes: 50\ndevice: cpu\n"
                    "method_options: {proto_representation: entity-pool, nota_threshold: 0.5}\n")
    config = config_from_args(_args("--config", str(path), "--episodes", "7", "--proto-representation", "marker-start"))
    assert (config.methods, config.dataset, config.episodes) == (["proto"], "fewrel/val_semeval", 7)
    assert config.method_options == {"proto_representation": "marker-start", "nota_threshold": 0.5}


def test_the_ray_address_needs_the_ray_executor() -> None:
    assert executor_from_args(_args("--methods", "random")) == {"executor": "local", "ray_address": None}
    with pytest.raises(ConfigError, match=r"--ray-address is for --executor ray"):
        executor_from_args(_args("--methods", "random", "--ray-address", "auto"))
    assert executor_from_args(_args("--methods", "random", "--executor", "ray", "--ray-address", "auto")) == \
        {"executor": "ray", "ray_address": "auto"}


def test_a_real_run_prints_its_table_and_exits_0(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes", "3", "--seeds", "0",
                 "--n-bootstrap", "100", "--device", "cpu", "--output-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "fsre-bench results" in out and "computed" in out
    assert len(list((tmp_path / "out").rglob("n3_seeds0_*.json"))) == 1
