"""pytest-benchmark: loading FewRel val_wiki and building + writing 10,000 5-way 1-shot episodes.

Run: ``.venv/bin/python -m pytest benchmarks/bench_episodes.py --benchmark-only``.
Budget (the task's): build + write 10,000 5-1 episodes on val_wiki in under 3 s.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fsre_bench.data import clear_cache, load_dataset
from fsre_bench.episodes import build_episodes, parse_setting, write_episode_file
from fsre_bench.types import Dataset

SHARED = Path(
    os.environ.get("FSRE_BENCH_DATA_DIR") or Path(__file__).resolve().parents[2] / "shared" / "datasets"
)
N_EPISODES = 10_000
BUDGET_S = 3.0


@pytest.fixture(scope="module")
def val_wiki() -> Dataset:
    if not (SHARED / "fewrel" / "val_wiki.json").is_file():
        pytest.skip(f"val_wiki.json not found under {SHARED}")
    return load_dataset("fewrel/val_wiki", data_dir=SHARED)


def _build_and_write(dataset: Dataset, path: Path, sampler: str = "default", na_rate: float = 0.0) -> str:
    setting = parse_setting("5-1", na_rate=na_rate)
    seed = 12345 if sampler == "codalab" else 0
    episodes, header = build_episodes(
        dataset, protocol="episodic", setting=setting, seed=seed, n_episodes=N_EPISODES, sampler=sampler
    )
    return write_episode_file(path, header, list(episodes))


def test_build_and_write_10k_5way_1shot(benchmark, val_wiki: Dataset, tmp_path: Path) -> None:
    benchmark.pedantic(_build_and_write, args=(val_wiki, tmp_path / "e.jsonl"), rounds=5, iterations=1)
    assert benchmark.stats.stats.max < BUDGET_S


def test_build_and_write_10k_codalab(benchmark, val_wiki: Dataset, tmp_path: Path) -> None:
    benchmark.pedantic(
        _build_and_write, args=(val_wiki, tmp_path / "c.jsonl", "codalab"), rounds=5, iterations=1
    )
    assert benchmark.stats.stats.max < BUDGET_S


def test_build_and_write_10k_with_nota(benchmark, val_wiki: Dataset, tmp_path: Path) -> None:
    benchmark.pedantic(
        _build_and_write, args=(val_wiki, tmp_path / "n.jsonl", "default", 0.5), rounds=5, iterations=1
    )
    assert benchmark.stats.stats.max < BUDGET_S


def test_first_load_of_val_wiki(benchmark) -> None:
    if not (SHARED / "fewrel" / "val_wiki.json").is_file():
        pytest.skip(f"val_wiki.json not found under {SHARED}")

    def cold_load() -> Dataset:
        clear_cache()
        return load_dataset("fewrel/val_wiki", data_dir=SHARED)

    benchmark.pedantic(cold_load, rounds=5, iterations=1)
    assert benchmark.stats.stats.max < 1.0


def test_cold_load_plus_build_and_write(benchmark, tmp_path: Path) -> None:
    if not (SHARED / "fewrel" / "val_wiki.json").is_file():
        pytest.skip(f"val_wiki.json not found under {SHARED}")

    def everything() -> str:
        clear_cache()
        return _build_and_write(load_dataset("fewrel/val_wiki", data_dir=SHARED), tmp_path / "all.jsonl")

    benchmark.pedantic(everything, rounds=3, iterations=1)
    assert benchmark.stats.stats.max < BUDGET_S
