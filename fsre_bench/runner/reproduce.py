"""Re-run one seed of a result from its recorded config and compare its predictions log with the recorded one.

The rerun writes to a directory of its own (never beside the result) and, unless asked to reuse it, starts
from an empty cache, so a trained model is trained again rather than read back from the run it checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from fsre_bench.cache import file_sha256
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.numerics import NATIVE, PORTABLE, THREADS_ENV
from fsre_bench.results import ResultFile
from fsre_bench.results.predictions import read_predictions_log
from fsre_bench.runner.config import RunConfig


@dataclass
class Reproduction:
    """What a rerun of one seed gave: the verdict, both sha256s, and where the two logs first part."""

    seed: int
    numerics: str
    notes: list[str]
    recorded_sha256: str
    rerun_sha256: str | None
    rerun_log: Path | None
    first_difference: str | None = None
    error: str | None = None

    @property
    def identical(self) -> bool:
        return self.error is None and self.recorded_sha256 == self.rerun_sha256


def rerun_config(result: ResultFile, seed: int, output_dir: Path) -> tuple[RunConfig, list[str]]:
    """The recorded config narrowed to this result's method, setting and ``seed``, writing to ``output_dir``."""
    recorded = dict(result.result["config"])
    notes = []
    if "numerics" not in recorded:  # results from before the mode existed ran the machine's own kernels
        recorded["numerics"] = NATIVE
        notes.append("the result records no numerics mode: it predates them and ran native kernels; rerun native")
    known = {f.name for f in fields(RunConfig)}
    dropped = sorted(set(recorded) - known)
    if dropped:
        notes.append(f"recorded settings this harness no longer has, ignored: {', '.join(dropped)}")
    setting = result.result["setting"]["name"]
    narrowed = {"methods": [result.method_name], "seeds": [seed], "output_dir": str(output_dir),
                "overwrite": "always", "data_dir": None,
                # The verdict is about bytes: a rerun whose fitted model and log were written at two harness states
                # (a commit while it ran) is still compared, not refused at assembly.
                "allow_mixed_provenance": True}
    if result.protocol == "kshot":
        narrowed["k_values"] = [int(setting.removeprefix("K="))]
    else:
        narrowed["settings"] = [setting]
    config = RunConfig.from_dict({k: v for k, v in recorded.items() if k in known} | narrowed, source=str(result.path))
    return config, notes


def recorded_threads(seed_row: dict[str, Any]) -> int | None:
    """The intra-op thread count the seed ran with (a trained model's bytes depend on it), when recorded."""
    numerics = (seed_row.get("provenance") or {}).get("numerics") or {}
    return (numerics.get("threads") or {}).get("intra_op")


def seed_row_of(result: ResultFile, seed: int | None) -> dict[str, Any]:
    rows = result.result["per_seed"]
    if seed is None:
        return rows[0]
    for row in rows:
        if row["seed"] == seed:
            return row
    raise ConfigError(f"--seed {seed}: {result.path} has seeds {', '.join(str(r['seed']) for r in rows)}")


def first_difference(recorded_log: Path, rerun_log: Path) -> str:
    """The first line where the two logs part: the header, an episode's answers, or one log ending early."""
    if not recorded_log.exists():
        return f"the recorded log {recorded_log} is not here, so only the sha256s can be compared"
    header = [json.loads(p.read_text(encoding="utf-8").split("\n", 1)[0]) for p in (recorded_log, rerun_log)]
    old, new = read_predictions_log(recorded_log), read_predictions_log(rerun_log)
    for index, (before, after) in enumerate(zip(old, new, strict=False)):
        if before != after:
            return (f"episode {index} ({before.get('episode')}): recorded {before.get('pred')} "
                    f"vs rerun {after.get('pred')}")
    if len(old) != len(new):
        return f"the recorded log holds {len(old)} episodes, the rerun {len(new)}"
    if header[0] != header[1]:
        changed = sorted(k for k in {**header[0], **header[1]} if header[0].get(k) != header[1].get(k))
        return f"every episode's answers agree; the log headers differ in {', '.join(changed)}"
    return "the logs' bytes differ in layout only"


def reproduce(path: Path, seed: int | None = None, output_dir: Path | None = None,
              reuse_cache: bool = False) -> Reproduction:
    """Re-run one seed of the result at ``path`` and compare predictions logs (see the module docstring)."""
    from fsre_bench.runner.runner import run

    result = ResultFile.load(Path(path))
    if result.provenance != "harness":
        raise DataError(f"{path}: scored from predictions made outside the harness; there is nothing to rerun")
    row = seed_row_of(result, seed)
    output_dir = Path(output_dir) if output_dir else Path(tempfile.mkdtemp(prefix="fsre-reproduce-"))
    config, notes = rerun_config(result, row["seed"], output_dir / "results")
    threads = recorded_threads(row)
    notes.append(_threads_note(config.numerics, threads))
    pinned = str(threads) if threads else None
    env = {"FSRE_BENCH_CACHE": None if reuse_cache else str(output_dir / "cache"), "OMP_NUM_THREADS": pinned,
           "MKL_NUM_THREADS": pinned, THREADS_ENV: pinned if config.numerics == PORTABLE else None}
    with _environment(env), _torch_threads(threads):
        outcome = run(config, command=["fsre-bench", "reproduce", str(path), "--seed", str(row["seed"])])[0]
    verdict = Reproduction(row["seed"], config.numerics, [n for n in notes if n], row["predictions_sha256"], None, None)
    if outcome.status != "computed" or outcome.result is None:
        verdict.error = f"the rerun did not complete: {outcome.error or outcome.status}"
        return verdict
    rerun_row = outcome.result["per_seed"][0]
    verdict.rerun_log = outcome.result_path.parent / rerun_row["predictions"]
    verdict.rerun_sha256 = file_sha256(verdict.rerun_log)
    if not verdict.identical:
        verdict.first_difference = first_difference(result.path.parent / row["predictions"], verdict.rerun_log)
    return verdict


def _threads_note(numerics: str, threads: int | None) -> str:
    """Native reruns use the recorded thread count (a trained model's bytes depend on it); portable pins its own."""
    if numerics != NATIVE:
        return ""
    if threads is None:
        return (f"the seed records no thread count: rerun with this process's OMP_NUM_THREADS="
                f"{os.environ.get('OMP_NUM_THREADS', 'unset')} (a trained model's bytes depend on it)")
    return f"native kernels with the recorded {threads} intra-op thread(s)"


@contextlib.contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set the non-None ``values`` for the rerun (OpenMP reads its thread count when torch loads), then restore."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update({name: value for name, value in values.items() if value is not None})
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _torch_threads(threads: int | None) -> Iterator[None]:
    """Where torch is already loaded (a library caller), its thread count is set directly, then restored."""
    torch = sys.modules.get("torch")
    if torch is None or threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)
