"""K-shot relation classification splits (protocol B: LM-BFF / GenPT / KnowPrompt / TKRE).

For one seed: per label of the train split (the negative label counts as a label), the label's
train instances are shuffled by a generator keyed on (seed, label) alone, so adding a label or
changing K never changes another label's draw and a smaller K's train set is a prefix of a
larger K's. The first K become supports (the K-shot train set) and the next K the dev set.
A label with n < 2K instances is split without overlap, train first: dev gets min(K, n // 2),
train min(K, n - dev) (n = 1 gives one train example and no dev). Queries are the whole test
split in file order with their gold labels (the negative label included; never NOTA).
"""

from __future__ import annotations

import random
from dataclasses import replace

from fsre_bench.episodes.pools import instance_index
from fsre_bench.episodes.seeding import keyed_rng
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.protocols import KSHOT_SEEDS, STANDARD_K
from fsre_bench.types import Dataset, Episode

__all__ = ["KSHOT_SEEDS", "STANDARD_K", "kshot_dataset_names", "kshot_episode_id", "limit_queries", "sample_kshot_split",
           "split_label"]


def kshot_dataset_names(dataset: str) -> tuple[str, str]:
    """K-shot RC draws supports from the group's train split and queries from its test split."""
    group = dataset.split("/")[0]
    return f"{group}/train", f"{group}/test"


def kshot_episode_id(k: int, seed: int) -> str:
    """``kshot-k<K>-s<seed>``."""
    return f"kshot-k{k}-s{seed}"


def split_label(ids: list[str], k: int, seed: int, label: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(train, dev) ids for one label: K + K from a shuffle keyed on (seed, label), never overlapping."""
    order = list(ids)
    keyed_rng("kshot", seed, label).shuffle(order)
    n_dev = min(k, len(order) // 2)
    n_train = min(k, len(order) - n_dev)
    return tuple(order[:n_train]), tuple(order[n_train : n_train + n_dev])


def sample_kshot_split(train: Dataset, test: Dataset, k: int, seed: int) -> Episode:
    """One K-shot RC "episode": K train + K dev per label from ``train``, the full ``test`` as queries."""
    if k < 1:
        raise ConfigError(f"K-shot split: K must be at least 1, got {k}")
    if (train.name, train.split, train.source_sha256) == (test.name, test.split, test.source_sha256):
        raise DataError(f"K-shot split: train and test are the same split ({test.name}/{test.split})")
    labels = list(train.relations) + [label for label in test.relations if label not in train.relations]
    _check_k_fits(train, k)
    support, dev = [], []
    for label in labels:
        ids = [inst.id for inst in train.instances.get(label, ())]
        train_ids, dev_ids = split_label(ids, k, seed, label)
        support.append(train_ids)
        dev.append(dev_ids)
    tests = sorted(test.all_instances(), key=lambda inst: instance_index(inst.id))
    return Episode(
        id=kshot_episode_id(k, seed),
        relations=tuple(labels),
        support=tuple(support),
        queries=tuple(inst.id for inst in tests),
        labels=tuple(inst.label for inst in tests),
        dev=tuple(dev),
    )


def _check_k_fits(train: Dataset, k: int) -> None:
    """K above every label's train size means no label gets K supports: say so rather than run a smaller K."""
    sizes = {label: len(group) for label, group in train.instances.items()}
    largest = max(sizes, key=lambda label: sizes[label], default=None)
    if largest is None or sizes[largest] < k:
        have = f"the largest, relation {largest!r}, has {sizes[largest]}" if largest is not None else "it has none"
        raise ConfigError(f"K-shot split: K={k} is above every relation's number of train instances in "
                          f"{train.name}/{train.split} ({have}); no relation could get K supports")


def limit_queries(split: Episode, limit: int) -> Episode:
    """The first ``limit`` test queries of one fixed shuffle (test files may be sorted by label).

    The shuffle is the same for every seed and K, so limited runs stay comparable and a smaller
    limit is a subset of a larger one.
    """
    order = list(range(len(split.queries)))
    random.Random(0).shuffle(order)
    keep = sorted(order[:limit])
    return replace(split, queries=tuple(split.queries[i] for i in keep), labels=tuple(split.labels[i] for i in keep))
