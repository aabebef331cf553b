"""Output locations that refuse writes: one line naming the path and the OS error, exit 2, resume intact.

Read-only and full disks are real: as root a read-only / tiny tmpfs is mounted (a directory made
unwritable does not stop root); otherwise a directory made unwritable stands in for read-only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from tests.support.cli_helpers import fails_with_one_line, output_snapshot, valid_run_argv

ROOT = os.geteuid() == 0


def _mount(*args: str) -> None:
    done = subprocess.run(["mount", *args], check=False, capture_output=True, text=True)
    if done.returncode != 0:  # root without mount rights (a container lacking CAP_SYS_ADMIN)
        pytest.fail(f"mount {' '.join(args)} failed ({done.stderr.strip()}): as root these tests need mount rights "
                    "(root ignores directory permissions, so nothing else makes a path read-only or full)")


def _unmount(path: Path) -> None:
    """Unmount; lazily if a file on it is still open (a failed test must not leave a mount behind)."""
    if subprocess.run(["umount", str(path)], check=False, capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], check=True, capture_output=True)


@pytest.fixture
def readonly_dir(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "readonly"
    path.mkdir()
    if ROOT:
        _mount("-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(path))
    else:
        path.chmod(0o555)
    try:
        yield path
    finally:
        if ROOT:
            _unmount(path)
        else:
            path.chmod(0o755)


def _make_writable(path: Path) -> None:
    if ROOT:
        _mount("-o", "remount,rw", str(path))
    else:
        path.chmod(0o755)


@pytest.fixture
def reference(tmp_path: Path) -> dict[str, bytes]:
    """The bytes an untroubled run writes (predictions logs; result files differ only by id and time)."""
    out = tmp_path / "reference"
    assert main(valid_run_argv(out)) == 0
    return _logs(out)


def _logs(out: Path) -> dict[str, bytes]:
    return {name: data for name, data in output_snapshot(out).items() if name.endswith(".predictions.jsonl")}


def _resumes_identically(out: Path, reference: dict[str, bytes], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(valid_run_argv(out)) == 0, capsys.readouterr().err
    capsys.readouterr()
    assert _logs(out) == reference


@pytest.mark.parametrize("below", ["", "sub/dir"])
def test_run_into_a_read_only_output_dir(capsys, readonly_dir, reference, below):
    out = readonly_dir / below if below else readonly_dir
    reason = "Read-only file system" if ROOT else "Permission denied"
    fails_with_one_line(capsys, valid_run_argv(out), "cannot write", str(readonly_dir), reason)
    _make_writable(readonly_dir)
    _resumes_identically(out, reference, capsys)


def test_episodes_build_into_a_read_only_dir(capsys, readonly_dir):
    target = readonly_dir / "eps.jsonl"
    fails_with_one_line(capsys, ["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "3",
                                 "--out", str(target)], str(readonly_dir), "cannot write")
    _make_writable(readonly_dir)
    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "3", "--out", str(target)]) == 0


def test_leaderboard_into_a_read_only_dir(capsys, readonly_dir, tmp_path):
    results = tmp_path / "results"
    assert main(valid_run_argv(results)) == 0
    target = readonly_dir / "LEADERBOARD.md"
    fails_with_one_line(capsys, ["leaderboard", "--results", str(results), "--out", str(target)],
                        str(target), "cannot write")
    _make_writable(readonly_dir)
    assert main(["leaderboard", "--results", str(results), "--out", str(target)]) == 0 and target.exists()


def test_output_dir_that_is_a_file(capsys, tmp_path, reference):
    target = tmp_path / "results.txt"
    target.write_text("not a directory\n")
    fails_with_one_line(capsys, valid_run_argv(target), str(target), "is a file, not a directory")
    fails_with_one_line(capsys, valid_run_argv(target / "below"), str(target), "is a file, not a directory")
    assert target.read_text() == "not a directory\n"
    target.unlink()
    _resumes_identically(target, reference, capsys)


def test_episodes_build_out_a_directory(capsys, tmp_path):
    fails_with_one_line(capsys, ["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "3",
                                 "--out", str(tmp_path)], str(tmp_path), "is a directory")


@pytest.mark.parametrize("command", [["leaderboard"], ["report", "ablation", "--dataset", "fewrel/val_semeval",
                                                        "--setting", "5-1", "--reference", "random"]])
def test_a_result_file_with_non_utf8_bytes(capsys, tmp_path, command):
    results = tmp_path / "results"
    assert main(valid_run_argv(results)) == 0
    (path,) = results.rglob("n5_seeds0_*.json")
    path.write_bytes(path.read_bytes().replace(b'"random"', b'"rand\xffom"', 1))
    out = ["--out", str(tmp_path / "table.md")]
    fails_with_one_line(capsys, [*command, "--results", str(results), *out], str(path), "UTF-8")


FULL_DISK_EPISODES = 300


def _full_disk_argv(out: Path) -> list[str]:
    return ["run", "--methods", "random", "--dataset", "fewrel/val_wiki", "--settings", "5-1", "--episodes",
            str(FULL_DISK_EPISODES), "--seeds", "0", "--output-dir", str(out)]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    if not ROOT:
        pytest.skip("a full disk is simulated with a tmpfs mount, which needs root")
    path = tmp_path / "disk"
    path.mkdir()
    _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(path))
    try:
        yield path
    finally:
        _unmount(path)


def test_a_disk_that_fills_mid_run(capsys, tmp_path, tiny_disk, monkeypatch):
    # The up-front estimate would refuse this run (its disk need is above the few free pages): switch that check
    # off here, so the disk really fills mid-run, the case this test is about.
    monkeypatch.setattr("fsre_bench.runner.work_estimate._free_disk", lambda path: None)
    reference = tmp_path / "reference"
    assert main(_full_disk_argv(reference)) == 0
    log_size = sum(len(data) for data in _logs(reference).values())
    out = tiny_disk / "results"
    filler = tiny_disk / "filler"
    stats = os.statvfs(tiny_disk)
    leave = 3 * 4096  # a few pages: the lock, the probe, then the log runs out of room part-way
    filler.write_bytes(b"\0" * (stats.f_bavail * stats.f_frsize - leave))
    assert log_size > 2 * leave
    capsys.readouterr()
    fails_with_one_line(capsys, _full_disk_argv(out), "cannot write", str(out), "No space left on device")
    (log,) = out.rglob("*.predictions.jsonl")
    assert 0 < log.stat().st_size < log_size  # it did fail mid-run
    assert not list(out.rglob(".logs/*"))  # no empty crash log
    filler.unlink()
    assert main(_full_disk_argv(out)) == 0, capsys.readouterr().err
    assert _logs(out) == _logs(reference)
    (done,) = out.rglob("n300_seeds0_*.json")
    (ref,) = reference.rglob("n300_seeds0_*.json")
    assert json.loads(done.read_text())["metrics"] == json.loads(ref.read_text())["metrics"]
    shutil.rmtree(out)
