"""K-shot RC splits (protocol B): sizes, disjointness, seeds, small labels, the full test set as queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import (
    KSHOT_SEEDS,
    build_episodes,
    kshot_dataset_names,
    limit_queries,
    sample_kshot_split,
)
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import Dataset
from tests.support.shared_data import SHARED_DATA as SHARED

pytestmark = pytest.mark.usefixtures("shared_data_env")


@pytest.fixture(scope="module")
def semeval() -> tuple[Dataset, Dataset]:
    return load_dataset("semeval2010/train", data_dir=SHARED), load_dataset(
        "semeval2010/test", data_dir=SHARED
    )


def test_standard_seeds() -> None:
    assert KSHOT_SEEDS == (13, 21, 42, 87, 100)


@pytest.mark.parametrize("k", [8, 16, 32])
def test_sizes_and_disjointness(semeval: tuple[Dataset, Dataset], k: int) -> None:
    train, test = semeval
    for seed in KSHOT_SEEDS:
        split = sample_kshot_split(train, test, k, seed)
        assert split.id == f"kshot-k{k}-s{seed}"
        assert split.relations == tuple(train.relations) and "Other" in split.relations
        assert split.dev is not None
        for label, support, dev in zip(split.relations, split.support, split.dev, strict=True):
            available = len(train.instances[label])
            assert len(support) == min(k, available) and len(dev) == min(k, available // 2)
            assert not set(support) & set(dev)
            assert all(train.by_id[i].label == label for i in (*support, *dev))
        # the train split lacks Entity-Destination(e2,e1): no supports, no dev, still a label
        position = split.relations.index("Entity-Destination(e2,e1)")
        assert split.support[position] == () and split.dev[position] == ()


def test_queries_are_the_full_test_set_in_file_order(semeval: tuple[Dataset, Dataset]) -> None:
    train, test = semeval
    split = sample_kshot_split(train, test, 8, 13)
    assert split.queries == tuple(f"semeval2010/test#{i}" for i in range(2717))
    assert split.labels == tuple(test.by_id[q].label for q in split.queries)
    assert "Other" in split.labels


def test_seeds_differ_same_seed_repeats_and_k_nests(semeval: tuple[Dataset, Dataset]) -> None:
    train, test = semeval
    splits = {seed: sample_kshot_split(train, test, 16, seed) for seed in KSHOT_SEEDS}
    assert len({s.support for s in splits.values()}) == 5
    assert sample_kshot_split(train, test, 16, 42) == splits[42]
    small = sample_kshot_split(train, test, 8, 42)
    for label, big_support, small_support in zip(
        small.relations, splits[42].support, small.support, strict=True
    ):
        if len(train.instances[label]) >= 32:
            assert big_support[:8] == small_support  # K=8's train set is a prefix of K=16's


def test_small_labels_split_without_overlap(tmp_path: Path) -> None:
    records = []
    for label, count in (("big", 20), ("three", 3), ("one", 1)):
        for i in range(count):
            records.append(
                {"token": ["x", str(i), "y"], "h": {"pos": [0, 1]}, "t": {"pos": [2, 3]}, "relation": label}
            )
    path = tmp_path / "small.txt"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    train = load_dataset(str(path))
    test = load_dataset(str(path), split="other")
    split = sample_kshot_split(train, test, 8, 13)
    sizes = {
        label: (len(s), len(d))
        for label, s, d in zip(split.relations, split.support, split.dev or (), strict=True)
    }
    assert sizes == {"big": (8, 8), "three": (2, 1), "one": (1, 0)}


def test_kshot_errors(semeval: tuple[Dataset, Dataset]) -> None:
    train, test = semeval
    with pytest.raises(ConfigError, match="K must be at least 1"):
        sample_kshot_split(train, test, 0, 13)
    with pytest.raises(DataError, match="same split"):
        sample_kshot_split(test, test, 8, 13)


def test_a_smaller_query_limit_is_a_subset_of_a_larger_one_for_every_seed_and_k(semeval) -> None:
    train, test = semeval
    split = sample_kshot_split(train, test, k=8, seed=13)
    small, large = limit_queries(split, 30), limit_queries(split, 300)
    assert set(small.queries) < set(large.queries) < set(split.queries) and len(small.queries) == 30
    order = {query: i for i, query in enumerate(split.queries)}
    assert [order[q] for q in large.queries] == sorted(order[q] for q in large.queries)  # file order kept
    assert all(split.labels[order[q]] == label for q, label in zip(large.queries, large.labels, strict=True))
    (other,), _ = build_episodes(test, protocol="kshot", seed=87, support_pool=train, k=16, query_limit=30)
    assert other.queries == small.queries  # the same 30 test queries whatever the seed and K
    assert limit_queries(split, 10**6).queries == split.queries


def test_kshot_data_comes_from_the_groups_train_and_test_splits() -> None:
    assert kshot_dataset_names("semeval2010") == kshot_dataset_names("semeval2010/test") == \
        ("semeval2010/train", "semeval2010/test")
