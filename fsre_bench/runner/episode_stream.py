"""One (setting, seed) of an episodic run streamed to its episode file, with progress from the first episode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fsre_bench.cache import cache_dir, content_hash
from fsre_bench.episodes.build import build_episodes
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.episodes.stream import EpisodeFileView, write_episode_stream
from fsre_bench.progress import progress_task
from fsre_bench.runner.config import RunConfig
from fsre_bench.types import Dataset


def stream_episodes(evaluation: Dataset, slug: str, config: RunConfig, setting: str, episode_setting: EpisodeSetting, seed: int,
                    count: int) -> tuple[EpisodeFileView, str, dict[str, Any], Path]:
    """Sample, write and hash ``count`` episodes one at a time: (a lazy view of them, sha256, header, file)."""
    episodes, header = build_episodes(evaluation, protocol=config.protocol, setting=episode_setting, seed=seed,
                                      n_episodes=count, sampler=config.sampler)
    name = f"{slug}-{config.protocol}-{setting.replace('=', '')}-s{seed}-{content_hash(header, length=12)}.jsonl"
    path = cache_dir("episodes") / name
    with progress_task(f"episodes {setting} seed {seed}", total=count, unit="ep") as task:
        sha = write_episode_stream(path, header, episodes, on_episode=_every(PROGRESS_STEP, task.advance))
        task.advance(count % PROGRESS_STEP)
    return EpisodeFileView(path, count), sha, header, path


PROGRESS_STEP = 250  # episodes per progress update: a rich update per episode costs more than sampling it


def _every(step: int, advance: Callable[[int], None]) -> Callable[[], None]:
    seen = 0

    def tick() -> None:
        nonlocal seen
        seen += 1
        if seen % step == 0:
            advance(step)

    return tick
