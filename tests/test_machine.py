"""What a seed records about its machine: the CPU, the kernels torch dispatches to, and one line naming them."""

from __future__ import annotations

import torch

from fsre_bench.machine import _library_versions, cpu_identity, kernel_libraries, machine_label


def test_the_cpu_is_named_with_its_kernel_relevant_flags() -> None:
    cpu = cpu_identity()
    assert set(cpu) == {"vendor", "model", "arch", "isa_flags"} and cpu["arch"]
    assert cpu["isa_flags"] is None or all(isinstance(flag, str) for flag in cpu["isa_flags"])
    assert cpu_identity() is cpu  # read once per process


def test_kernel_libraries_report_what_this_torch_uses() -> None:
    libraries = kernel_libraries()
    assert libraries["torch"] == torch.__version__
    assert libraries["cpu_capability"] == torch.backends.cpu.get_cpu_capability()
    assert libraries["threads"] == {"intra_op": torch.get_num_threads(), "inter_op": torch.get_num_interop_threads()}
    assert _library_versions("  - Intel(R) Math Kernel Library Version 2024.2-Product Build\n"
                             "  - Intel(R) MKL-DNN v3.5.3 (Git Hash 66f0cb9)") == {"mkl": "2024.2-Product",
                                                                                   "onednn": "3.5.3"}
    assert _library_versions("") == {"mkl": None, "onednn": None}


def test_a_machine_label_is_one_line_and_says_what_is_unrecorded() -> None:
    numerics = {"cpu": {"vendor": "GenuineIntel", "model": "Xeon"}, "mode": "portable", "cpu_capability": "AVX2",
                "threads": {"intra_op": 1}, "device": "cpu"}
    assert machine_label(numerics) == "GenuineIntel Xeon, portable numerics, kernels AVX2, 1 thread(s) on cpu"
    assert machine_label({"mode": "native"}) == "? ?, native numerics, kernels unused, ? thread(s) on None"
    assert machine_label(None) == "unrecorded"
