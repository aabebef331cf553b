"""Rerunning a seed of a result, without the run: its narrowed config, the seed row, where two logs part.

The rerun itself (``reproduce`` on real units, byte for byte) is tests/test_numerics_reproduce.py's, which shares
one pair of runs with the numerics tests.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.results import ResultFile
from fsre_bench.runner.reproduce import (
    Reproduction,
    first_difference,
    recorded_threads,
    rerun_config,
    seed_row_of,
)
from tests.support.report_fixtures import FEWREL_5_1, SEMEVAL_K8, result_file


def test_a_v1_result_is_rerun_native_for_its_method_setting_and_seed(tmp_path: Path) -> None:
    result = ResultFile.load(result_file(FEWREL_5_1 / "proto"))
    config, notes = rerun_config(result, 1, tmp_path / "results")
    assert (config.methods, config.settings, config.seeds) == (["proto"], ["5-1"], [1])
    assert (config.output_dir, config.overwrite, config.data_dir) == (str(tmp_path / "results"), "always", None)
    assert config.allow_mixed_provenance and config.numerics == "native"
    assert notes[0].startswith("the result records no numerics mode: it predates them")
    assert config.episodes == result.result["config"]["episodes"]  # the rest as recorded


def test_a_kshot_result_is_rerun_at_its_own_k(tmp_path: Path) -> None:
    result = ResultFile.load(result_file(SEMEVAL_K8 / "proto"))
    config, _ = rerun_config(result, result.result["per_seed"][0]["seed"], tmp_path)
    assert config.protocol == "kshot" and config.k_values == [8]


def test_a_seed_row_is_found_by_seed_and_a_missing_seed_names_those_there() -> None:
    result = ResultFile.load(result_file(FEWREL_5_1 / "proto"))
    assert seed_row_of(result, None)["seed"] == 0 and seed_row_of(result, 1)["seed"] == 1
    with pytest.raises(ConfigError, match=r"--seed 7: .* has seeds 0, 1$"):
        seed_row_of(result, 7)
    assert recorded_threads(seed_row_of(result, 0)) is None  # v1: not recorded
    assert recorded_threads({"provenance": {"numerics": {"threads": {"intra_op": 4}}}}) == 4


def _logs(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    (recorded,) = sorted((FEWREL_5_1 / "proto").glob("seed0_*.predictions.jsonl"))
    rerun = tmp_path / "rerun.jsonl"
    shutil.copy(recorded, rerun)
    return recorded, rerun, rerun.read_text().splitlines(keepends=True)


def test_first_difference_names_the_episode_then_the_length_then_the_header(tmp_path: Path) -> None:
    recorded, rerun, lines = _logs(tmp_path)
    record = json.loads(lines[3])
    before = list(record["pred"])
    record["pred"][0] = "P0"
    rerun.write_text("".join([*lines[:3], json.dumps(record) + "\n", *lines[4:]]))
    assert first_difference(recorded, rerun) == f"episode 2 ({record['episode']}): recorded {before} vs rerun " \
                                                f"{record['pred']}"
    rerun.write_text("".join(lines[:-1]))
    assert first_difference(recorded, rerun) == "the recorded log holds 30 episodes, the rerun 29"
    header = json.loads(lines[0])
    rerun.write_text("".join([json.dumps({**header, "method_config": "other"}) + "\n", *lines[1:]]))
    assert first_difference(recorded, rerun) == "every episode's answers agree; the log headers differ in method_config"
    rerun.write_text("".join([json.dumps(header, indent=None, separators=(", ", ": ")) + "\n", *lines[1:]]))
    assert first_difference(recorded, rerun) == "the logs' bytes differ in layout only"
    assert first_difference(tmp_path / "gone.jsonl", rerun).startswith("the recorded log ")


def test_identical_means_no_error_and_the_same_sha256() -> None:
    same = Reproduction(0, "portable", [], "ab", "ab", None)
    assert same.identical
    assert not Reproduction(0, "portable", [], "ab", "cd", None).identical
    assert not Reproduction(0, "portable", [], "ab", "ab", None, error="the rerun did not complete").identical
