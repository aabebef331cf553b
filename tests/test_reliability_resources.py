"""Hostile inputs cost bounded memory and time: each case runs the real CLI in a child process whose
peak RSS (``RUSAGE_CHILDREN`` of a small launcher) and wall time are measured, under an address-space limit so a regression that
reads /dev/zero fails fast with MemoryError instead of swapping the machine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from fsre_bench.cli.main import main

REPO = Path(__file__).resolve().parents[1]
MAX_RSS_MB = 500
MAX_SECONDS = 2.0  # the refusal itself: the child's wall time less its Python start-up (measured per test run)
ADDRESS_SPACE_LIMIT = 3 * 1024**3  # far above what a refusal needs, far below what /dev/zero would take


@dataclass(frozen=True)
class ChildRun:
    code: int
    stderr: str
    peak_rss_mb: float
    wall_s: float


# Linux carries the high-water RSS of the address space a process leaves at exec into its ru_maxrss, and a child
# forked or vforked from pytest leaves pytest's (2.6 GB in the full suite, MiniLM and torch loaded). So the CLI is
# started by this small launcher instead: its ~15 MB is all the CLI inherits, and it reports its child's peak RSS.
_LAUNCHER = ("import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
             "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
             "sys.exit(code if code >= 0 else 128 - code)")


def run_child(argv: list[str], tmp_path: Path, timeout_s: float = 60.0, limit: bool = True) -> ChildRun:
    """``fsre-bench argv`` in a child process: exit code, stderr, peak RSS and wall time."""
    stamp = time.monotonic_ns()
    err_path, rss_path = tmp_path / f"stderr-{stamp}.txt", tmp_path / f"maxrss-{stamp}.txt"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    limit_prefix = ["prlimit", f"--as={ADDRESS_SPACE_LIMIT}"] if limit else []
    started = time.perf_counter()
    with open(err_path, "w") as err:
        launcher = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(rss_path), *limit_prefix, sys.executable,
                                     "-m", "fsre_bench.cli.main", *argv], cwd=REPO, env=env,
                                    stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
        try:
            code = launcher.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(launcher.pid, 9)  # the launcher and the CLI under it
            launcher.wait()
            pytest.fail(f"fsre-bench {' '.join(argv)} still running after {timeout_s:.0f} s")
    wall = time.perf_counter() - started
    return ChildRun(code, err_path.read_text(), int(rss_path.read_text()) / 1024, wall)


@pytest.fixture(scope="module")
def startup_s(tmp_path_factory: pytest.TempPathFactory) -> float:
    """Wall time of a child that parses its arguments and exits (Python and the CLI's imports)."""
    tmp = tmp_path_factory.mktemp("startup")
    runs = [run_child(["run", "--methods", "random", "--seeds", ","], tmp).wall_s for _ in range(2)]
    return min(runs)


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("hostile")
    fifo = tmp / "pipe.json"
    os.mkfifo(fifo)
    sparse = tmp / "sparse.json"
    with open(sparse, "wb") as handle:
        handle.truncate(2 * 1024**3)  # 2 GB, no blocks on disk
    return {"/dev/zero": Path("/dev/zero"), "FIFO": fifo, "2 GB sparse file": sparse}


@pytest.fixture(scope="module")
def episode_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eps") / "eps.jsonl"
    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "3", "--out", str(path)]) == 0
    return path


def _argv(kind: str, hostile: Path, out: Path, episodes: Path) -> list[str]:
    if kind == "dataset":
        return ["run", "--methods", "random", "--dataset", str(hostile), "--output-dir", str(out)]
    if kind == "config":
        return ["run", "--config", str(hostile)]
    if kind == "episode file":
        return ["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes-file", str(hostile),
                "--output-dir", str(out)]
    return ["score", "--episodes-file", str(episodes), "--predictions", str(hostile), "--method-name", "mine",
            "--output-dir", str(out)]


def _refused_in_one_line(run: ChildRun, startup: float, *fragments: str) -> None:
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert run.code == 2, run.stderr
    assert len(lines) == 1 and lines[0].startswith("error:") and "Traceback" not in run.stderr, run.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert run.peak_rss_mb < MAX_RSS_MB, f"peak RSS {run.peak_rss_mb:.0f} MB"
    assert run.wall_s - startup < MAX_SECONDS, f"{run.wall_s:.2f} s (start-up {startup:.2f} s)"


@pytest.mark.parametrize("kind", ["dataset", "config", "episode file", "predictions"])
@pytest.mark.parametrize("what", ["/dev/zero", "FIFO", "2 GB sparse file"])
def test_a_device_fifo_or_huge_file_is_one_line_fast_and_small(tmp_path, hostile_files, episode_file, startup_s,
                                                               kind, what):
    hostile = hostile_files[what]
    run = run_child(_argv(kind, hostile, tmp_path / "out", episode_file), tmp_path)
    expected = "over the" if what.startswith("2 GB") else ("a FIFO" if what == "FIFO" else "a character device")
    _refused_in_one_line(run, startup_s, str(hostile), expected)
    if what.startswith("2 GB"):
        assert "MB limit" in run.stderr and "FSRE_BENCH_MAX_" in run.stderr  # names the limit and how to raise it
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.json"))


@pytest.mark.parametrize(("flags", "fragments"), [
    (["--episodes", str(10**12)], ("--episodes 1000000000000", "would need", "PB of memory", "years")),
    (["--n-bootstrap", str(10**9)], ("--n-bootstrap 1000000000", "would need", "GB of memory")),
])
def test_an_absurd_request_is_refused_before_work_with_its_estimate(tmp_path, startup_s, flags, fragments):
    out = tmp_path / "out"
    run = run_child(["run", "--methods", "random", "--dataset", "fewrel/val_semeval", *flags, "--output-dir", str(out)],
                    tmp_path)
    _refused_in_one_line(run, startup_s, *fragments)
    assert not out.exists()  # refused before the output directory was even made


def test_a_size_limit_is_set_by_its_environment_variable(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FSRE_BENCH_MAX_CONFIG_MB", "0.0001")  # ~100 bytes
    config = tmp_path / "run.yaml"
    config.write_text("methods: [random]\ndataset: fewrel/val_semeval\n" + "# padding\n" * 20)
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "246 bytes, over the 104 byte limit for a config file" in err and "FSRE_BENCH_MAX_CONFIG_MB" in err


def test_memory_is_flat_in_the_number_of_episodes(tmp_path):
    """Random on 1,000 and on 15,000 episodes: the same peak RSS within 25 MB (holding them took 3.2 KB each,
    45 MB more for the larger run; streamed, the difference is the 40 bytes of counts per episode)."""
    peaks = {}
    for episodes in (1000, 15_000):
        out = tmp_path / f"out{episodes}"
        run = run_child(["run", "--methods", "random", "--dataset", "fewrel/val_semeval", "--episodes", str(episodes),
                         "--output-dir", str(out)], tmp_path, timeout_s=120)
        assert run.code == 0, run.stderr
        assert len(list(out.rglob(f"n{episodes}_seeds0_*.json"))) == 1
        peaks[episodes] = run.peak_rss_mb
    assert peaks[15_000] - peaks[1000] < 25, peaks


def test_episodes_build_estimates_too_and_streams_the_same_bytes(capsys, tmp_path):
    out = tmp_path / "e.jsonl"
    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", str(10**12), "--out", str(out)]) == 2
    assert "would need" in capsys.readouterr().err and not out.exists()
    from fsre_bench.data import load_dataset
    from fsre_bench.episodes import EpisodeSetting, build_episodes, episodes_text

    assert main(["episodes", "build", "--dataset", "fewrel/val_semeval", "--episodes", "50", "--na-rate", "0.3",
                 "--out", str(out)]) == 0
    episodes, header = build_episodes(load_dataset("fewrel/val_semeval"), protocol="episodic", seed=0,
                                      setting=EpisodeSetting(n_way=5, k_shot=1, na_rate=0.3), n_episodes=50)
    assert out.read_text() == episodes_text(header, episodes)  # streamed file == the one built whole
