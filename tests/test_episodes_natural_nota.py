"""Natural-NOTA episodes (FS-TACRED style): queries follow the split's label distribution; prefix and seed."""

from __future__ import annotations

from collections import Counter

from fsre_bench.data import load_dataset
from fsre_bench.episodes import build_episodes, parse_setting
from fsre_bench.types import NOTA
from tests.support.shared_data import SHARED_DATA as SHARED


def test_natural_nota_follows_the_label_distribution() -> None:
    test = load_dataset("semeval2010/test", data_dir=SHARED)
    setting = parse_setting("5-1")
    episodes = list(build_episodes(test, protocol="natural-nota", setting=setting, seed=160290, n_episodes=6000).episodes)
    assert all(len(e.queries) == 3 for e in episodes)  # FS-TACRED default
    drawn = Counter(test.by_id[q].label for e in episodes for q in e.queries)
    total = sum(drawn.values())
    for label, group in test.instances.items():
        assert abs(drawn[label] / total - len(group) / len(test)) < 0.012, label
    # NOTA = any query outside the N (Other included): P = P(Other) + P(positive) * (1 - 5/18)
    p_other = len(test.instances["Other"]) / len(test)
    expected_nota = p_other + (1 - p_other) * (13 / 18)
    nota = sum(label == NOTA for e in episodes for label in e.labels) / total
    assert abs(nota - expected_nota) < 0.015
    for episode in episodes:
        assert "Other" not in episode.relations
        assert not {i for g in episode.support for i in g} & set(episode.queries)
        for query, gold in zip(episode.queries, episode.labels, strict=True):
            true = test.by_id[query].label
            assert gold == (true if true in episode.relations else NOTA)


def test_natural_nota_prefix_and_determinism() -> None:
    test = load_dataset("semeval2010/test", data_dir=SHARED)
    setting = parse_setting("5-1", n_query=4)
    long = list(build_episodes(test, protocol="natural-nota", setting=setting, seed=1, n_episodes=300).episodes)
    assert long[:30] == list(build_episodes(test, protocol="natural-nota", setting=setting, seed=1, n_episodes=30).episodes)
    assert all(len(e.queries) == 4 for e in long)
