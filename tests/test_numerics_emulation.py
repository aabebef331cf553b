"""Two machines emulated on one: a process with this CPU's defaults and one with its ISA capped at AVX2 from outside.

In portable mode both must write the same bytes: the frozen encoder's embeddings, a trained proto-ft
encoder's weights, and the predictions logs of proto and proto-ft. In native mode the same pair must differ
(embeddings and trained weights), or the emulation proves nothing: on a CPU without AVX-512 (where the
cap changes nothing) the native half fails, and says so.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from fsre_bench.numerics import MODE_ENV, PORTABLE_KERNEL_ENV, THREADS_ENV

REPO = Path(__file__).resolve().parents[1]
# What an AVX2-only machine looks like to torch: ATen's dispatch and oneDNN's JIT capped, exported before start.
AVX2_MACHINE = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
RUN = ["run", "--methods", "proto,proto-ft", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
       "--settings", "5-1", "--episodes", "3", "--seeds", "0", "--n-bootstrap", "100", "--proto-ft-steps", "2",
       "--select-dev-episodes", "2", "--select-refit", "none", "--option", "select_lrs=[5e-5]",
       "--option", "select_checkpoints=[1.0]"]


def _child_env(cache: Path, machine: dict[str, str]) -> dict[str, str]:
    """This session's environment without any numerics setting (conftest exports portable ones), plus ``machine``."""
    scrubbed = (*PORTABLE_KERNEL_ENV, "MKL_ENABLE_INSTRUCTIONS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", MODE_ENV,
                THREADS_ENV)
    env = {k: v for k, v in os.environ.items() if k not in scrubbed}
    # One thread in both processes: native mode must differ by the ISA alone, not by a thread count.
    return {**env, **machine, "OMP_NUM_THREADS": "1", "FSRE_BENCH_CACHE": str(cache), "PYTHONPATH": str(REPO)}


def _run_machine(root: Path, mode: str, machine: dict[str, str]) -> dict[str, str]:
    """One emulated machine's run; the sha256s of what it computed."""
    out, cache = root / "out", root / "cache"
    done = subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", *RUN, "--numerics", mode, "--output-dir",
                           str(out)], env=_child_env(cache, machine), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    digests = {"embeddings": _embedding_store_sha256(cache)}
    for method in ("proto", "proto-ft"):
        (result_path,) = (out / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / method).glob("n3_seeds0_*.json")
        seed = json.loads(result_path.read_text())["per_seed"][0]
        digests[f"{method} predictions"] = seed["predictions_sha256"]
        numerics = seed["provenance"]["numerics"]
        digests[f"{method} kernels"] = numerics["cpu_capability"]
        for model in seed["provenance"]["fitted_models"]:
            digests[f"{method} weights"] = model["weights_sha256"]
    return digests


def _embedding_store_sha256(cache: Path) -> str:
    """Every vector the frozen encoder stored, in key order (the key names encoder, numerics mode and instance)."""
    stores = list(cache.rglob("vectors.sqlite"))
    assert stores, f"no embedding store under {cache}"
    digest = hashlib.sha256()
    for store in sorted(stores):
        with sqlite3.connect(store) as connection:
            for key, data in connection.execute("SELECT key, data FROM vectors ORDER BY key"):
                digest.update(key.encode() + data)
    return digest.hexdigest()


def _two_machines(tmp_path: Path, mode: str) -> tuple[dict[str, str], dict[str, str]]:
    with ThreadPoolExecutor(2) as pool:  # the two emulated machines run side by side (two cores)
        native_cpu = pool.submit(_run_machine, tmp_path / f"{mode}-defaults", mode, {})
        avx2_cpu = pool.submit(_run_machine, tmp_path / f"{mode}-avx2", mode, AVX2_MACHINE)
        return native_cpu.result(), avx2_cpu.result()


@pytest.mark.slow
def test_portable_numerics_give_the_same_bytes_on_an_avx2_capped_process_and_native_do_not(tmp_path: Path) -> None:
    defaults, avx2 = _two_machines(tmp_path, "portable")
    assert defaults["proto-ft weights"] and defaults["proto kernels"] == "AVX2"
    assert defaults == avx2  # embeddings, trained weights, both predictions logs: byte for byte

    defaults, avx2 = _two_machines(tmp_path, "native")
    if defaults["proto kernels"] == avx2["proto kernels"]:
        pytest.fail(f"this CPU's own kernels are {defaults['proto kernels']}: capping at AVX2 emulates no other "
                    "machine here, so the native half cannot show a difference (run on an AVX-512 machine)")
    assert defaults["embeddings"] != avx2["embeddings"]
    assert defaults["proto-ft weights"] != avx2["proto-ft weights"]
