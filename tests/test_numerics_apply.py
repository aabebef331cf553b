"""Portable numerics are set before torch loads, or refused in one line; Ray workers start with them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fsre_bench.numerics import MODE_ENV, PORTABLE_KERNEL_ENV, THREADS_ENV

REPO = Path(__file__).resolve().parents[1]


def _bare_env(**extra: str) -> dict[str, str]:
    """This session's environment without the numerics variables conftest exported."""
    names = (*PORTABLE_KERNEL_ENV, "OMP_NUM_THREADS", "MKL_NUM_THREADS", MODE_ENV, THREADS_ENV)
    return {**{k: v for k, v in os.environ.items() if k not in names}, "PYTHONPATH": str(REPO), **extra}


def _python(code: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], env=_bare_env(**extra), capture_output=True, text=True,
                          timeout=120)


def test_portable_mode_set_before_torch_loads_runs_avx2_kernels_on_one_thread() -> None:
    done = _python("from fsre_bench.numerics import apply_numerics; apply_numerics('portable'); import torch; "
                   "print(torch.backends.cpu.get_cpu_capability(), torch.get_num_threads())")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["AVX2", "1"]


def test_portable_mode_after_torch_chose_its_kernels_is_refused_in_one_line() -> None:
    done = _python("import torch; torch.ones(2).sum()\n"
                   "from fsre_bench.numerics import apply_numerics\n"
                   "try:\n    apply_numerics('portable')\nexcept Exception as exc:\n    print(type(exc).__name__, exc)")
    assert done.stdout.startswith("ConfigError --numerics portable: torch was imported in this process before")
    assert "ONEDNN_MAX_CPU_ISA=AVX2" in done.stdout


def test_a_thread_count_that_is_not_a_number_is_one_line_exit_2(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "random", "--episodes", "2",
                           "--output-dir", str(tmp_path)], env=_bare_env(**{THREADS_ENV: "many"}),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip() == f"error: {THREADS_ENV}='many': give a whole number of threads >= 1"


def test_ray_workers_start_with_the_drivers_numerics(monkeypatch) -> None:
    from fsre_bench.runner.ray_executor import worker_numerics_env

    monkeypatch.setenv(MODE_ENV, "portable")
    assert worker_numerics_env()["ONEDNN_MAX_CPU_ISA"] == "AVX2" and worker_numerics_env()["OMP_NUM_THREADS"] == "1"
    monkeypatch.setenv(MODE_ENV, "native")
    assert worker_numerics_env() == {MODE_ENV: "native"}
