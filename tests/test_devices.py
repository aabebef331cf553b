"""--device auto and the GPU check script, on this CPU machine (CI has no GPU: the CUDA side is gpu_check.sh's).

On CPU ``auto`` must change nothing: same resolved config, same cache keys and method hash as an
explicit ``--device cpu --batch-size 64``, so results computed before ``auto`` existed are reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from fsre_bench.cli.main import build_parser
from fsre_bench.devices import cuda_available, default_batch_size
from fsre_bench.precision import autocast
from fsre_bench.runner import RunConfig

REPO = Path(__file__).resolve().parents[1]
GPU_CHECK = REPO / "benchmarks" / "gpu_check.sh"
pytestmark = pytest.mark.skipif(cuda_available(), reason="checks the CPU side of --device auto; gpu_check.sh covers CUDA")


def _config(**settings) -> RunConfig:
    return RunConfig(methods=["proto"], dataset="fewrel/val_wiki", **settings)


def test_auto_is_the_cpu_on_a_machine_without_cuda_and_hashes_as_cpu():
    from fsre_bench.runner.plan import load_run_data, resolve_methods
    from fsre_bench.runner.runner import method_config_hash

    assert (_config().device, _config().batch_size) == ("auto", None)  # no probe until the run starts
    auto, explicit = _config().on_this_machine(), _config(device="cpu", batch_size=64).on_this_machine()
    assert (auto.device, auto.batch_size) == ("cpu", 64) == (explicit.device, default_batch_size("cpu"))
    assert auto.to_dict() == explicit.to_dict()
    data = load_run_data(auto)
    assert (method_config_hash(resolve_methods(auto)[0], auto, data)
            == method_config_hash(resolve_methods(explicit)[0], explicit, data))


def test_cpu_encoder_keeps_float32_and_its_cache_keys(monkeypatch):
    import torch

    from fsre_bench.encoders.encoder import Encoder

    monkeypatch.setenv("FSRE_BENCH_NUMERICS", "native")
    encoder = Encoder(device="cpu", use_disk_cache=False)
    assert encoder._key_identity == encoder.identity  # no "+bf16": existing CPU caches stay valid
    monkeypatch.setenv("FSRE_BENCH_NUMERICS", "portable")  # portable kernels' vectors are other bytes: own keys
    assert Encoder(device="cpu", use_disk_cache=False)._key_identity == f"{encoder.identity}+portable"
    with autocast("cpu"):
        assert not torch.is_autocast_enabled("cuda") and not torch.is_autocast_enabled("cpu")


def _cli(*flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", "run", "--methods", "random", *flags],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(REPO)})


@pytest.mark.parametrize(("device", "message"), [
    ("cuda", "error: --device cuda: torch sees no CUDA device on this machine; use --device auto or cpu"),
    ("tpu", "error: --device 'tpu' is not a device: use auto, cpu, cuda, cuda:N or mps"),
])
def test_a_device_this_machine_lacks_is_one_line_and_exit_2(device, message, tmp_path):
    done = _cli("--device", device, "--output-dir", str(tmp_path / "out"))
    assert done.returncode == 2 and done.stderr.splitlines() == [message]
    assert not (tmp_path / "out").exists()


def test_gpu_check_script_parses_its_runs_parse_and_it_refuses_a_cpu_machine():
    assert subprocess.run(["bash", "-n", str(GPU_CHECK)], capture_output=True).returncode == 0
    for array in ("proto", "tkre"):  # the script's run flags are ones the CLI accepts
        flags = subprocess.run(["bash", "-c", f'eval "$(grep "^{array}=(" {GPU_CHECK})"; printf "%s\\n" "${{{array}[@]}}"'],
                               capture_output=True, text=True, check=True).stdout.split()
        assert flags, f"gpu_check.sh has no {array}=(...) run flags"
        build_parser().parse_args(["run", *flags, "--device", "cuda", "--output-dir", "x"])
    done = subprocess.run(["bash", str(GPU_CHECK)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHON": sys.executable})
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"gpu_check: {sys.executable} has no CUDA-enabled torch (or no GPU is visible); "
                                        "run this on a GPU machine"]
    assert not (REPO / ".venv-gpu").exists(), "nothing may be installed on a machine without a GPU"
