"""Every file read is a regular file within its kind's size limit; a refusal is one line naming file and limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fsre_bench.bounded_read import MB, check_regular_file, limit_bytes, read_bounded, read_bounded_text
from fsre_bench.errors import ConfigError, DataError


def test_a_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "data.json"
    path.write_bytes("{\"é\": 1}\n".encode())
    assert read_bounded(path, "dataset") == path.read_bytes()
    assert read_bounded_text(path, "dataset") == "{\"é\": 1}\n"
    check_regular_file(path, "log")


def test_limits_have_defaults_and_an_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    assert limit_bytes("result") == 64 * MB and limit_bytes("dataset") == 1024 * MB
    monkeypatch.setenv("FSRE_BENCH_MAX_RESULT_MB", "0.5")
    assert limit_bytes("result") == MB // 2
    for bad, reason in (("lots", "is not a number of megabytes"), ("0", "must be a positive number")):
        monkeypatch.setenv("FSRE_BENCH_MAX_RESULT_MB", bad)
        with pytest.raises(ConfigError, match=f"FSRE_BENCH_MAX_RESULT_MB='{bad}' {reason}"):
            limit_bytes("result")
    monkeypatch.setenv("FSRE_BENCH_MAX_RESULT_MB", " ")
    assert limit_bytes("result") == 64 * MB


def test_a_file_over_the_limit_is_refused_naming_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "episodes.jsonl"
    path.write_bytes(b"x" * 2000)
    monkeypatch.setenv("FSRE_BENCH_MAX_EPISODES_MB", str(1000 / MB))
    message = r"episodes\.jsonl: 2,000 bytes, over the 1,000 byte limit for an episode file \(set FSRE_BENCH_MAX_EPISODES_MB"
    with pytest.raises(DataError, match=message):
        read_bounded(path, "episodes")
    with pytest.raises(DataError, match=message):
        check_regular_file(path, "episodes")
    monkeypatch.setenv("FSRE_BENCH_MAX_CONFIG_MB", str(1000 / MB))
    config = tmp_path / "run.yaml"
    config.write_bytes(b"x" * 2000)
    with pytest.raises(ConfigError, match="limit for a config file"):  # a config's refusal is a ConfigError
        read_bounded(config, "config")


def test_devices_fifos_and_directories_are_refused_without_blocking(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"/dev/zero: not a regular file \(a character device\); a dataset file"):
        read_bounded("/dev/zero", "dataset")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # no writer: a plain open() would wait for ever
    with pytest.raises(DataError, match=r"pipe: not a regular file \(a FIFO\); a predictions log file"):
        read_bounded(fifo, "log")
    with pytest.raises(DataError, match=r"not a regular file \(a directory\)"):
        check_regular_file(tmp_path, "result")
    with pytest.raises(FileNotFoundError):  # callers word a missing file themselves
        read_bounded(tmp_path / "absent", "result")
