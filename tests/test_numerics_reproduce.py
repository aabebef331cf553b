"""`fsre-bench reproduce` on units produced here, the numerics mode in results, and leaderboard rows per mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cache import file_sha256
from fsre_bench.cli.main import main
from fsre_bench.report.collect import collect_rows
from fsre_bench.report.leaderboard import build_tables

RUN = ["run", "--methods", "proto", "--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes", "4",
       "--seeds", "0", "--n-bootstrap", "100"]


def _result(out: Path, mode: str) -> Path:
    for path in (out / "runs").rglob("n4_seeds0_*.json"):
        if json.loads(path.read_text())["config"].get("numerics") == mode:
            return path
    raise AssertionError(f"no {mode} result under {out}")


@pytest.fixture(scope="module")
def two_modes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("numerics")
    for mode in ("portable", "native"):
        assert main([*RUN, "--numerics", mode, "--output-dir", str(out)]) == 0
    return out


def test_each_seed_records_its_numerics_and_machine(two_modes: Path) -> None:
    result = json.loads(_result(two_modes, "portable").read_text())
    numerics = result["per_seed"][0]["provenance"]["numerics"]
    assert numerics["mode"] == "portable" and numerics["bit_portable"] is True
    assert numerics["cpu_capability"] == "AVX2" and numerics["threads"]["intra_op"] == 1
    assert numerics["env"]["ONEDNN_MAX_CPU_ISA"] == "AVX2" and numerics["cpu"]["arch"] == "x86_64"
    assert numerics["torch"] and numerics["mkl"] and numerics["onednn"]
    (machine,) = result["provenance"]["machines"]
    assert machine["seeds"] == [0] and "portable numerics, kernels AVX2" in machine["machine"]


def test_the_leaderboard_never_puts_portable_and_native_results_in_one_row(two_modes: Path) -> None:
    (table,) = build_tables(collect_rows(two_modes))
    assert sorted(table.cells) == ["proto", "proto (native numerics)"]
    assert table.cells["proto"]["5-1"].numerics == "portable"
    assert table.cells["proto (native numerics)"]["5-1"].numerics == "native"


def test_reproduce_prints_identical_for_a_unit_rerun_byte_for_byte(two_modes: Path, tmp_path: Path, capsys) -> None:
    assert main(["reproduce", str(_result(two_modes, "portable")), "--output-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("identical (seed 0, portable numerics")


def test_reproduce_names_the_first_differing_episode_and_fails(two_modes: Path, tmp_path: Path, capsys) -> None:
    """A recorded log whose third episode says otherwise (and a result pointing at it): the rerun cannot match."""
    original = _result(two_modes, "native")
    unit = tmp_path / "unit"
    unit.mkdir()
    result = json.loads(original.read_text())
    seed = result["per_seed"][0]
    lines = (original.parent / seed["predictions"]).read_text().split("\n")
    episode = json.loads(lines[3])
    episode["pred"] = [episode["pred"][-1], *episode["pred"][:-1]] if len(set(episode["pred"])) > 1 else ["x"]
    lines[3] = json.dumps(episode, sort_keys=True, separators=(",", ":"))
    (unit / seed["predictions"]).write_text("\n".join(lines))
    seed["predictions_sha256"] = file_sha256(unit / seed["predictions"])
    (unit / original.name).write_text(json.dumps(result))
    assert main(["reproduce", str(unit / original.name), "--output-dir", str(tmp_path / "rerun")]) == 1
    out = capsys.readouterr().out
    assert f"first difference: episode 2 ({episode['episode']}): recorded {episode['pred']}" in out


def test_a_result_from_before_numerics_is_rerun_native_and_says_so(two_modes: Path, tmp_path: Path, capsys) -> None:
    original = _result(two_modes, "native")
    result = json.loads(original.read_text())
    del result["config"]["numerics"]  # as every result committed before the mode existed
    (original.parent / "n4_seeds0_old.json").write_text(json.dumps(result))
    try:
        code = main(["reproduce", str(original.parent / "n4_seeds0_old.json"), "--output-dir", str(tmp_path)])
    finally:
        (original.parent / "n4_seeds0_old.json").unlink()
    out = capsys.readouterr().out
    assert code == 0 and "predates them and ran native kernels" in out
    assert out.splitlines()[-1].startswith("identical (seed 0, native numerics")


def test_reproduce_refuses_a_seed_the_result_does_not_have(two_modes: Path, capsys) -> None:
    assert main(["reproduce", str(_result(two_modes, "portable")), "--seed", "7"]) == 2
    assert capsys.readouterr().err.strip().endswith("has seeds 0")


def test_a_result_naming_an_unknown_numerics_mode_does_not_load(two_modes: Path, tmp_path: Path) -> None:
    from fsre_bench.errors import DataError
    from fsre_bench.results import ResultFile

    result = json.loads(_result(two_modes, "portable").read_text())
    result["per_seed"][0]["provenance"]["numerics"]["mode"] = "fast"
    (tmp_path / "r.json").write_text(json.dumps(result))
    with pytest.raises(DataError, match="per_seed/0/provenance/numerics/mode"):
        ResultFile.load(tmp_path / "r.json")
