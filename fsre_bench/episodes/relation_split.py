"""Disjoint relation splits for FS-TACRED-style evaluation (train / dev / test relation sets).

Sabo et al. split TACRED's 41 positive relations 25 / 6 / 10 (plus ``no_relation``). This is
a seeded re-creation of that recipe, not their published relation lists: the positive relations
are shuffled with a generator keyed on the seed and cut into parts of the given sizes (scaled
to the dataset's relation count by largest remainder when they do not add up). The
negative-label instances are shuffled the same way and dealt to the parts in proportion to
each part's positive instance count, so every part keeps the split's natural NOTA rate.
Each part is a Dataset whose instances keep their original ids; its ``split`` is
``<split>-<part>`` and its ``source_sha256`` covers the source hash, the parts and the seed.
"""

from __future__ import annotations

from fsre_bench.cache import content_hash
from fsre_bench.episodes.seeding import keyed_rng
from fsre_bench.errors import ConfigError
from fsre_bench.types import Dataset, RelationInstance

FS_TACRED_PARTS = {"train": 25, "dev": 6, "test": 10}


def _scaled_sizes(parts: dict[str, int], total: int) -> dict[str, int]:
    weight = sum(parts.values())
    if weight == total:
        return dict(parts)
    exact = {name: size * total / weight for name, size in parts.items()}
    sizes = {name: int(value) for name, value in exact.items()}
    by_remainder = sorted(parts, key=lambda name: exact[name] - sizes[name], reverse=True)
    for name in by_remainder[: total - sum(sizes.values())]:
        sizes[name] += 1
    return sizes


def _deal_negatives(
    negatives: list[RelationInstance], weights: dict[str, int]
) -> dict[str, list[RelationInstance]]:
    total = sum(weights.values()) or 1
    out, start = {}, 0
    names = list(weights)
    for position, name in enumerate(names):
        end = (
            len(negatives)
            if position == len(names) - 1
            else start + round(len(negatives) * weights[name] / total)
        )
        out[name] = negatives[start:end]
        start = end
    return out


def split_relations(
    dataset: Dataset, parts: dict[str, int] | None = None, seed: int = 0
) -> dict[str, Dataset]:
    """Disjoint relation sets (default 25/6/10 as FS-TACRED) -> {part name: Dataset}."""
    parts = dict(parts or FS_TACRED_PARTS)
    positives = [rel for rel in dataset.positive_relations if dataset.instances.get(rel)]
    if len(positives) < len(parts):
        raise ConfigError(
            f"cannot split {len(positives)} relations of {dataset.name}/{dataset.split} into {len(parts)} parts"
        )
    keyed_rng("relation-split", seed, dataset.source_sha256).shuffle(positives)
    sizes = _scaled_sizes(parts, len(positives))
    assigned, start = {}, 0
    for name, size in sizes.items():
        assigned[name] = positives[start : start + size]
        start += size
    negatives = list(dataset.instances.get(dataset.negative_label or "", ()))
    keyed_rng("relation-split-negatives", seed, dataset.source_sha256).shuffle(negatives)
    weights = {name: sum(len(dataset.instances[rel]) for rel in rels) for name, rels in assigned.items()}
    dealt = _deal_negatives(negatives, weights)
    return {name: _part(dataset, name, rels, dealt[name], parts, seed) for name, rels in assigned.items()}


def _part(
    dataset: Dataset,
    name: str,
    rels: list[str],
    negatives: list[RelationInstance],
    parts: dict[str, int],
    seed: int,
) -> Dataset:
    keep = [rel for rel in dataset.relations if rel in rels]  # file order
    instances = {rel: dataset.instances[rel] for rel in keep}
    relations = {rel: dataset.relations[rel] for rel in keep}
    if dataset.negative_label:
        instances[dataset.negative_label] = tuple(
            sorted(negatives, key=lambda inst: int(inst.id.rsplit("#", 1)[1]))
        )
        relations[dataset.negative_label] = dataset.relations[dataset.negative_label]
    return Dataset(
        name=dataset.name,
        split=f"{dataset.split}-{name}",
        relations=relations,
        instances=instances,
        source_sha256=content_hash("relation-split", dataset.source_sha256, parts, seed, name),
        source_path=dataset.source_path,
        negative_label=dataset.negative_label,
        entity_types=dataset.entity_types,
    )
