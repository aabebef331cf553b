"""A run's memory, disk and harness time estimated before any work, and absurd requests refused in one line."""

from __future__ import annotations

import pytest

from fsre_bench.cli.main import main
from fsre_bench.errors import ConfigError
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.work_estimate import (
    BATCH_ITEM_BYTES,
    EPISODE_DISK_FIXED,
    EPISODE_DISK_PER_ID,
    EPISODE_MEMORY_FIXED,
    EPISODE_MEMORY_PER_ID,
    check_work,
    estimate_work,
)


def _config(tmp_path, **fields) -> RunConfig:
    return RunConfig(**{"methods": ["random"], "dataset": "fewrel/val_wiki", "device": "cpu",
                        "output_dir": str(tmp_path / "out"), "batch_size": 1, **fields})


def test_memory_and_disk_grow_by_the_per_episode_cost_of_the_largest_setting(tmp_path) -> None:
    small, large = (estimate_work(_config(tmp_path, settings=["5-1", "10-5"], episodes=n)) for n in (100, 200))
    ids = 10 * (5 + 1)  # 10-5 with one query per relation holds the most ids
    assert large.memory_bytes - small.memory_bytes == pytest.approx(2 * 100 * (EPISODE_MEMORY_PER_ID * ids
                                                                                + EPISODE_MEMORY_FIXED))
    assert large.disk_bytes - small.disk_bytes == pytest.approx(2 * 100 * (EPISODE_DISK_PER_ID * ids
                                                                            + EPISODE_DISK_FIXED))
    assert large.seconds > small.seconds


def test_limit_methods_seeds_and_batch_size_enter_the_estimate(tmp_path) -> None:
    base = estimate_work(_config(tmp_path, episodes=1000))
    assert estimate_work(_config(tmp_path, episodes=1000, limit=10)).disk_bytes == pytest.approx(base.disk_bytes / 100)
    assert estimate_work(_config(tmp_path, methods=["random", "proto"])).disk_bytes == pytest.approx(2 * base.disk_bytes)
    assert estimate_work(_config(tmp_path, seeds=[0, 1, 2])).disk_bytes == pytest.approx(3 * base.disk_bytes)
    wider = estimate_work(_config(tmp_path, batch_size=65))
    assert wider.memory_bytes - base.memory_bytes == pytest.approx(64 * BATCH_ITEM_BYTES)
    kshot = {n: estimate_work(_config(tmp_path, protocol="kshot", dataset="semeval2010", k_values=[8, 32], episodes=n))
             for n in (1, 10**6)}
    assert kshot[1] == kshot[10**6]  # one episode per split, whatever --episodes says


def test_limits_come_from_the_environment(tmp_path, monkeypatch) -> None:
    config = _config(tmp_path)
    check_work(config)  # a normal run passes
    monkeypatch.setenv("FSRE_BENCH_MAX_MEMORY_MB", "1")
    with pytest.raises(ConfigError, match=r"would need about .* of memory, .*: memory [\d.]+ MB > 1\.0 MB; ask for less"):
        check_work(config)
    monkeypatch.delenv("FSRE_BENCH_MAX_MEMORY_MB")
    monkeypatch.setenv("FSRE_BENCH_MAX_HOURS", "1e-9")
    with pytest.raises(ConfigError, match=r"harness time \d+ s > 1e-09 h"):
        check_work(config)
    for bad, why in (("soon", "is not a number"), ("0", "must be positive"), ("-2", "must be positive")):
        monkeypatch.setenv("FSRE_BENCH_MAX_HOURS", bad)
        with pytest.raises(ConfigError, match=f"FSRE_BENCH_MAX_HOURS='{bad}' {why}"):
            check_work(config)


@pytest.mark.parametrize(("flag", "value", "fragment"), [("--batch-size", 10**9, "TB of memory"),
                                                         ("--seeds", "0,1,2", None)])
def test_the_estimate_counts_batch_size_and_lets_normal_runs_through(capsys, tmp_path, flag, value, fragment):
    if fragment is None:  # the committed grid's size: 1000 episodes x 3 seeds x 4 settings, B=1000
        config = RunConfig(methods=["proto"], dataset="fewrel/val_wiki", settings=["5-1", "5-5", "10-1", "10-5"],
                           seeds=[0, 1, 2], device="cpu")
        check_work(config)
        assert estimate_work(config).memory_bytes < 1024**3
        return
    fails_with = ["run", "--methods", "random", "--dataset", "fewrel/val_semeval", flag, str(value),
                  "--output-dir", str(tmp_path / "out")]
    assert main(fails_with) == 2
    err = capsys.readouterr().err
    assert f"--batch-size {value}" in err and fragment in err and len(err.strip().splitlines()) == 1
