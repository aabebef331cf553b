"""An episode file's episodes again from its header (dataset, setting, seed), for ``fsre-bench verify``.

Episode files are built in the cache and not committed; the header says everything that made them,
so the same episodes (and the same sha256) can be rebuilt wherever the dataset is.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from fsre_bench.episodes.build import build_episodes
from fsre_bench.episodes.files import episodes_text
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.types import Episode


def rebuild_episodes(header: dict[str, Any], data_dir: Path | None,
                     query_limit: int | None = None) -> tuple[str, list[Episode]]:
    """(sha256 of the rebuilt file, its episodes); DataError/ConfigError when the dataset is not at hand."""
    from fsre_bench.data import load_dataset

    evaluation = load_dataset(f"{header['dataset']}/{header['split']}", data_dir)
    if header["protocol"] == "kshot":
        pool = load_dataset(f"{header['train_dataset']}/{header['train_split']}", data_dir)
        stream, built = build_episodes(evaluation, protocol="kshot", seed=header["seed"], support_pool=pool,
                                       k=header["k_shot"], query_limit=query_limit)
    else:
        setting = EpisodeSetting(n_way=header["n_way"], k_shot=header["k_shot"], n_query=header["n_query"],
                                 na_rate=header["na_rate"])
        stream, built = build_episodes(evaluation, protocol=header["protocol"], seed=header["seed"],
                                       setting=setting, n_episodes=header["n_episodes"], sampler=header["sampler"])
    episodes = list(stream)
    text = episodes_text(built, episodes)  # the rebuilt header: a tampered one differs
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), episodes
