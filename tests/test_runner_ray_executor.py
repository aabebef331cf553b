"""--executor ray on a local Ray (2 CPUs, loopback): same predictions as the local executor, resume, failures.

Real Ray, real MiniLM, real val_wiki. One Ray for the module; a second driver process joins it
and is SIGKILLed half-way, like a user's driver dying on a cluster.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import ray

from fsre_bench.cli.main import main
from fsre_bench.runner import RunConfig, run

GRID = {"methods": ["random", "proto"], "dataset": "fewrel/val_wiki", "settings": ["5-1", "5-5"], "episodes": 12,
        "seeds": [0, 1], "n_bootstrap": 200}
UNITS = 2 * 2 * 2  # methods x settings x seeds


@pytest.fixture(scope="module")
def ray_address():
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    context = ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    try:
        yield context.address_info["gcs_address"]
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    outcomes = run(RunConfig(**GRID, output_dir=str(out)), command=["pytest"])
    assert [o.status for o in outcomes] == ["computed"] * 4
    return out


def _predictions(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("runs/**/*.predictions.jsonl")) if p.is_file()}


def _metrics(out: Path) -> dict[str, dict]:
    return {str(p.parent.relative_to(out)): json.loads(p.read_text())["metrics"]
            for p in sorted(out.glob("runs/**/n*_seeds*.json"))}


def test_ray_gives_the_local_executors_predictions_and_metrics(ray_address, local_reference, tmp_path, monkeypatch):
    # Its own cache: the workers compute every embedding themselves instead of reading the local run's.
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    outcomes = run(RunConfig(**GRID, output_dir=str(tmp_path / "ray")), command=["pytest"], executor="ray")
    assert [o.status for o in outcomes] == ["computed"] * 4
    expected = _predictions(local_reference)
    assert len(expected) == UNITS
    assert _predictions(tmp_path / "ray") == expected
    assert _metrics(tmp_path / "ray") == _metrics(local_reference)
    again = run(RunConfig(**GRID, output_dir=str(tmp_path / "ray")), command=["pytest"], executor="ray")
    assert [o.status for o in again] == ["reused"] * 4


def _driver(out: Path, address: str, env: dict[str, str]) -> list[str]:
    flags = ["--methods", "random,proto", "--settings", "5-1,5-5", "--episodes", str(GRID["episodes"]),
             "--seeds", "0,1", "--n-bootstrap", "200"]
    return [sys.executable, "-m", "fsre_bench.cli.main", "run", "--executor", "ray", "--ray-address", address,
            "--dataset", "fewrel/val_wiki", *flags, "--output-dir", str(out)]


def _metas(out: Path) -> dict[Path, float]:
    return {p: p.stat().st_mtime_ns for p in out.glob("runs/**/*.meta.json")}


def _wait_for_idle_ray(timeout_s: float = 60) -> None:
    """A dead driver's tasks are killed by Ray; wait until their CPUs are free again."""
    deadline = time.monotonic() + timeout_s
    while ray.available_resources().get("CPU", 0) < 2:
        assert time.monotonic() < deadline, f"Ray never freed the dead driver's CPUs: {ray.available_resources()}"
        time.sleep(0.2)


def test_killed_driver_rerun_submits_only_unfinished_units(ray_address, local_reference, tmp_path):
    out = tmp_path / "killed"
    env = {**os.environ, "FSRE_BENCH_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    driver = subprocess.Popen(_driver(out, ray_address, env), env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    try:
        while not _metas(out):  # the first finished unit
            assert driver.poll() is None, driver.stderr.read().decode()[-1500:]
            assert time.monotonic() < deadline, "no unit finished in time"
            time.sleep(0.01)
        driver.send_signal(signal.SIGKILL)
    finally:
        driver.wait()
    _wait_for_idle_ray()
    finished = _metas(out)
    assert 0 < len(finished) < UNITS, "the kill must land half-way through the grid"
    rerun = subprocess.run(_driver(out, ray_address, env), env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"ray: {UNITS - len(finished)} unit(s) to run, {len(finished)} already complete" in rerun.stderr
    assert {p: _metas(out)[p] for p in finished} == finished, "a finished unit was run again"
    assert _predictions(out) == _predictions(local_reference)
    assert _metrics(out) == _metrics(local_reference)


def test_a_failing_unit_is_one_line_and_the_others_finish(ray_address, local_reference, tmp_path, capsys):
    out = tmp_path / "broken"
    victim = next(p for p in _predictions(local_reference) if "/5-5/proto/" in p and "/seed1_" in p)
    (out / victim).mkdir(parents=True)  # this unit's log cannot be opened: it is a directory
    code = main(["run", "--executor", "ray", "--methods", "proto", "--dataset", "fewrel/val_wiki",
                 "--settings", "5-1,5-5", "--episodes", str(GRID["episodes"]), "--seeds", "0,1",
                 "--n-bootstrap", "200", "--output-dir", str(out)])
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2
    assert len(errors) == 1 and errors[0].startswith("error: proto 5-5: seed 1: ") and "IsADirectoryError" in errors[0]
    produced = _predictions(out)
    assert len(produced) == 3
    assert all(produced[name] == _predictions(local_reference)[name] for name in produced)
    assert len(list(out.glob("runs/**/5-1/proto/n*_seeds*.json"))) == 1


_WITHOUT_RAY = "import sys; sys.modules['ray'] = None; from fsre_bench.cli.main import main; sys.exit(main(sys.argv[1:]))"


def test_without_the_ray_extra_it_is_one_line_before_any_work(tmp_path):
    done = subprocess.run([sys.executable, "-c", _WITHOUT_RAY, "run", "--executor", "ray", "--methods", "random",
                           "--output-dir", str(tmp_path / "out")], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert done.returncode == 2
    assert done.stderr.splitlines() == ["error: --executor ray needs the ray package, which is not installed; "
                                        "install it with: pip install -e '.[ray]'"]
    assert not (tmp_path / "out").exists()
    stray = main(["run", "--methods", "random", "--ray-address", "auto", "--output-dir", str(tmp_path / "out")])
    assert stray == 2 and not (tmp_path / "out").exists()


def test_ray_with_vllm_is_refused_with_what_to_do_instead(tmp_path, capsys):
    code = main(["run", "--executor", "ray", "--methods", "icl", "--llm", "vllm", "--llm-model", "org/x",
                 "--output-dir", str(tmp_path / "out")])
    assert code == 2 and not (tmp_path / "out").exists()
    assert "start one `vllm serve` and pass --llm remote" in capsys.readouterr().err


def _kill_first_running_task(killed: list[int], deadline_s: float = 240) -> None:
    """SIGKILL the first worker of *this* test's cluster seen running a unit (Ray titles it ray::run_unit_task),
    like an OOM kill. Only descendants of this process: another Ray job on the machine is left alone."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        listing = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True, text=True).stdout
        parents: dict[int, int] = {}
        tasks = []
        for line in listing.splitlines():
            pid, ppid, *args = line.split(maxsplit=2)
            parents[int(pid)] = int(ppid)
            if args and args[0].startswith("ray::run_unit_task"):
                tasks.append(int(pid))
        for pid in tasks:
            if _descends_from(pid, os.getpid(), parents):
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.05)


def _descends_from(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid > 1:
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
    return False


def test_a_worker_killed_mid_unit_is_one_line_and_the_others_finish(ray_address, local_reference, tmp_path, capsys):
    import threading

    killed: list[int] = []
    killer = threading.Thread(target=_kill_first_running_task, args=(killed,))
    killer.start()
    code = main(["run", "--executor", "ray", "--methods", "proto", "--dataset", "fewrel/val_wiki", "--settings",
                 "5-1,5-5", "--episodes", str(GRID["episodes"]), "--seeds", "0,1", "--n-bootstrap", "200",
                 "--output-dir", str(tmp_path / "out")])
    killer.join()
    assert killed, "no running unit was seen to kill"
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error:")]
    assert code == 2 and len(errors) == 1, errors
    assert errors[0].startswith("error: proto 5-") and ": seed " in errors[0] and "Ray task failed: " in errors[0]
    assert len(list((tmp_path / "out").glob("runs/**/*.meta.json"))) == 3  # the other three units finished
