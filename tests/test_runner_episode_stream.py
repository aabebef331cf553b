"""A (setting, seed) of an episodic run streamed to its cached episode file: the same bytes as the set built whole."""

from __future__ import annotations

import hashlib

from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episodes, episodes_text
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.episode_stream import PROGRESS_STEP, stream_episodes


def test_the_streamed_file_is_the_episode_set_built_whole(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(tmp_path / "cache"))
    dataset = load_dataset("fewrel/val_semeval")
    config = RunConfig(methods=["random"], dataset="fewrel/val_semeval", device="cpu", na_rate=0.15)
    setting = EpisodeSetting(n_way=5, k_shot=1, na_rate=0.15)
    count = PROGRESS_STEP + 7  # a full progress step and a remainder
    view, sha, header, path = stream_episodes(dataset, "fewrel_val_semeval", config, "5-1", setting, 3, count)
    stream, whole_header = build_episodes(dataset, protocol="episodic", seed=3, setting=setting, n_episodes=count)
    episodes = list(stream)
    assert header == whole_header
    assert path.read_text() == episodes_text(header, episodes)
    assert sha == hashlib.sha256(path.read_bytes()).hexdigest()
    assert path.parent == tmp_path / "cache" / "episodes" and path.name.startswith("fewrel_val_semeval-episodic-5-1-s3-")
    assert len(view) == count and list(view) == episodes and view[count - 1] == episodes[-1]
    other, other_sha, _, other_path = stream_episodes(dataset, "fewrel_val_semeval", config, "5-1", setting, 4, 10)
    assert other_path != path and other_sha != sha and other[0] != episodes[0]  # another seed, another file
