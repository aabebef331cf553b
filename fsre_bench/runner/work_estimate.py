"""What a run would need (memory, disk, the harness's own time) estimated before any work, absurd ones refused.

``--episodes 10**12`` used to run on with no output until killed, and ``--n-bootstrap 10**9`` grew
to the whole machine: the request is checked against the machine first, and a refusal is one line
with the estimate. The per-unit costs are measured on the cheapest method (``random``, 5-1 on
FewRel val_semeval: 3.2 KB of memory and ~0.1 ms per episode, ~600 B of episode file and ~300 B of
log; benchmarks/README "Bounded reads, bounded work, verify"), so each estimate is a floor: a real method needs more.

Limits (each overridable): memory, ``FSRE_BENCH_MAX_MEMORY_MB`` (default 80% of the memory available
now); the harness's own time, ``FSRE_BENCH_MAX_HOURS`` (default 168, a week); disk, the free space
under --output-dir and the cache.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from fsre_bench.errors import ConfigError
from fsre_bench.runner.config import RunConfig

# Per id an episode holds (supports and queries), measured as above; plus a fixed part per episode.
EPISODE_MEMORY_PER_ID, EPISODE_MEMORY_FIXED = 300, 500
EPISODE_DISK_PER_ID, EPISODE_DISK_FIXED = 70, 300  # episode file + predictions log
EPISODE_SECONDS = 1e-4  # sampling, checking and logging one episode, before the method's own time
# One bootstrap replicate: multinomial weights over the distinct count rows (at most ~64) plus the
# summed counts and metric, float64; drawn for all replicates at once, per seed and metric.
REPLICATE_BYTES = 8 * (64 + 5 + 3)
REPLICATE_SECONDS = 2.5e-6
# One item of an encoder batch: a MiniLM forward pass over 128 tokens keeps ~1 MB of activations.
BATCH_ITEM_BYTES = 1024**2
DEFAULT_MAX_HOURS = 168.0
GB = 1024**3


@dataclass(frozen=True)
class WorkEstimate:
    memory_bytes: float
    disk_bytes: float
    seconds: float

    def describe(self) -> str:
        return (f"about {_size(self.memory_bytes)} of memory, {_size(self.disk_bytes)} of disk and "
                f"{_duration(self.seconds)} of harness time before any method's own work")


def estimate_work(config: RunConfig) -> WorkEstimate:
    """The floor of what ``config`` needs: episodes held per (setting, seed), files and logs, bootstraps."""
    seeds = len(config.effective_seeds)
    sets = len(config.setting_names) * seeds
    ids = _ids_per_episode(config)
    episodes = 1 if config.protocol == "kshot" else min(config.episodes, config.limit or config.episodes)
    memory = (sets * episodes * (EPISODE_MEMORY_PER_ID * ids + EPISODE_MEMORY_FIXED)
              + config.n_bootstrap * REPLICATE_BYTES + (config.batch_size or 1) * BATCH_ITEM_BYTES)
    disk = len(config.methods) * sets * episodes * (EPISODE_DISK_PER_ID * ids + EPISODE_DISK_FIXED)
    seconds = (len(config.methods) * sets * episodes * EPISODE_SECONDS
               + len(config.methods) * len(config.setting_names) * 2 * seeds * config.n_bootstrap * REPLICATE_SECONDS)
    return WorkEstimate(memory, disk, seconds)


def _ids_per_episode(config: RunConfig) -> int:
    if config.protocol == "kshot":
        return max(config.k_values) * 2 * 50 + (config.limit or 20_000)  # ~50 labels, K train + K dev, the test split
    from fsre_bench.episodes.setting import parse_n_k

    n_query = config.n_query or 1
    return max(n * (k + n_query) for n, k in map(parse_n_k, config.setting_names))


def check_work(config: RunConfig) -> None:
    """A ConfigError with the estimate when the run would need more memory, disk or time than allowed."""
    estimate = estimate_work(config)
    memory_limit = _memory_limit()
    problems = []
    if memory_limit is not None and estimate.memory_bytes > memory_limit:
        problems.append(f"memory {_size(estimate.memory_bytes)} > {_size(memory_limit)}")
    free = _free_disk(Path(config.output_dir))
    if free is not None and estimate.disk_bytes > free:
        problems.append(f"disk {_size(estimate.disk_bytes)} > {_size(free)} free")
    hours = _env_float("FSRE_BENCH_MAX_HOURS", DEFAULT_MAX_HOURS)
    if estimate.seconds > hours * 3600:
        problems.append(f"harness time {_duration(estimate.seconds)} > {hours:g} h")
    if problems:
        raise ConfigError(f"this run (--episodes {config.episodes}, --n-bootstrap {config.n_bootstrap}, "
                          f"--batch-size {config.batch_size}, "
                          f"{len(config.setting_names)} setting(s) x {len(config.effective_seeds)} seed(s) x "
                          f"{len(config.methods)} method(s)) would need {estimate.describe()}: "
                          f"{'; '.join(problems)}; ask for less (FSRE_BENCH_MAX_MEMORY_MB / FSRE_BENCH_MAX_HOURS "
                          "raise the limits)")


def _memory_limit() -> float | None:
    given = os.environ.get("FSRE_BENCH_MAX_MEMORY_MB")
    if given:
        return _env_float("FSRE_BENCH_MAX_MEMORY_MB", 0.0) * 1024**2
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:  # Linux; elsewhere only the time limit applies
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return 0.8 * int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _free_disk(path: Path) -> int | None:
    while not path.exists() and path != path.parent:
        path = path.parent
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return None


def _env_float(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name}={text!r} is not a number") from None
    if not value > 0:
        raise ConfigError(f"{name}={text!r} must be positive")
    return value


def _size(n_bytes: float) -> str:
    for unit, scale in (("PB", 1024**5), ("TB", 1024**4), ("GB", GB), ("MB", 1024**2)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes / 1024:,.0f} KB"


def _duration(seconds: float) -> str:
    if seconds >= 86400 * 365:
        return f"{seconds / (86400 * 365):,.0f} years"
    if seconds >= 86400:
        return f"{seconds / 86400:,.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:,.1f} h"
    return f"{seconds:,.0f} s"
