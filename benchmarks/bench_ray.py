"""The same grid serial (local executor) and on Ray with 2 local workers: wall times, identical predictions.

Run:  FSRE_BENCH_DATA_DIR=../shared/datasets python benchmarks/bench_ray.py [--episodes 50]
Each run is a whole `fsre-bench run` in a fresh process with its own fresh cache (Ray's start-up,
the workers' model loads and every embedding are paid inside the measured wall time).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(out: Path, cache: Path, episodes: int, *executor: str) -> float:
    args = ["run", "--methods", "random,proto", "--dataset", "fewrel/val_wiki", "--settings", "5-1,5-5",
            "--episodes", str(episodes), "--seeds", "0,1", "--output-dir", str(out), *executor]
    env = {**os.environ, "FSRE_BENCH_CACHE": str(cache), "PYTHONPATH": str(ROOT), "RAY_USAGE_STATS_ENABLED": "0"}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fsre_bench.cli.main", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def _predictions(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("runs/**/*.predictions.jsonl"))}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--episodes", type=int, default=50)
    episodes = parser.parse_args().episodes
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        serial = _run(base / "serial", base / "cache-serial", episodes)
        on_ray = _run(base / "ray", base / "cache-ray", episodes, "--executor", "ray")
        same = _predictions(base / "serial") == _predictions(base / "ray") and len(_predictions(base / "ray")) == 8
    print(f"grid random,proto x 5-1,5-5 x seeds 0,1, {episodes} episodes, {os.cpu_count()} cores")
    print(f"serial (local executor): {serial:.1f} s wall")
    print(f"ray, 2 local workers:    {on_ray:.1f} s wall")
    print(f"identical predictions files: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
