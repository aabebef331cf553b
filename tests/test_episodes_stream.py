"""Episodes written as a stream and read back lazily: the same bytes as the list written whole, any slice."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import EpisodeSetting, build_episodes, episodes_text
from fsre_bench.episodes.stream import EpisodeFileView, write_episode_stream
from fsre_bench.errors import DataError


@pytest.fixture(scope="module")
def episode_set():
    episodes, header = build_episodes(load_dataset("fewrel/val_semeval"), protocol="episodic", seed=0,
                                      setting=EpisodeSetting(5, 1, na_rate=0.3), n_episodes=12)
    return list(episodes), header


def test_a_stream_writes_the_bytes_of_the_whole_file_and_counts_each_episode(tmp_path: Path, episode_set) -> None:
    episodes, header = episode_set
    ticks: list[int] = []
    sha = write_episode_stream(tmp_path / "sub" / "e.jsonl", header, iter(episodes), on_episode=lambda: ticks.append(1))
    assert (tmp_path / "sub" / "e.jsonl").read_text() == episodes_text(header, episodes)
    assert sha == hashlib.sha256((tmp_path / "sub" / "e.jsonl").read_bytes()).hexdigest()
    assert len(ticks) == len(episodes)
    assert [p.name for p in (tmp_path / "sub").iterdir()] == ["e.jsonl"]  # no temporary file left


def test_a_stream_that_does_not_match_its_header_leaves_no_file(tmp_path: Path, episode_set) -> None:
    episodes, header = episode_set
    with pytest.raises(DataError, match=r"header says n_episodes=12 but 11 episodes came"):
        write_episode_stream(tmp_path / "e.jsonl", header, episodes[:-1])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DataError, match=r"episode file header lacks seed, n_episodes"):
        write_episode_stream(tmp_path / "e.jsonl", {k: v for k, v in header.items() if k not in ("seed", "n_episodes")},
                             episodes)


def test_a_view_reads_any_slice_and_index_lazily(tmp_path: Path, episode_set) -> None:
    episodes, header = episode_set
    path = tmp_path / "e.jsonl"
    write_episode_stream(path, header, episodes)
    view = EpisodeFileView(path, len(episodes))
    assert len(view) == 12 and list(view) == episodes
    assert view[0] == episodes[0] and view[-1] == episodes[-1]
    middle = view[3:7]
    assert isinstance(middle, EpisodeFileView) and list(middle) == episodes[3:7] and middle[-1] == episodes[6]
    assert list(middle[1:]) == episodes[4:7] and list(view[::3]) == episodes[::3]
    assert len(view[10:50]) == 2 and len(view[8:2]) == 0 and list(view[8:2]) == []
    with pytest.raises(IndexError):
        view[12]
    assert list(EpisodeFileView(path, len(episodes), stop=2)) == episodes[:2]


def test_a_view_of_an_edited_file_names_the_line(tmp_path: Path, episode_set) -> None:
    episodes, header = episode_set
    path = tmp_path / "e.jsonl"
    write_episode_stream(path, header, episodes)
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = "{not json\n"
    path.write_text("".join(lines))
    view = EpisodeFileView(path, len(episodes))
    assert view[1] == episodes[1]  # lines before it still read
    with pytest.raises(DataError, match=r"e\.jsonl: malformed JSON at line 4 column 2"):
        list(view)
