"""What the samplers draw from: candidate relations and instance ids, checked once per build.

Candidates for the N ways are the dataset's positive relations (never the negative label) with
at least one instance in this split (a label rel2id lists but the split lacks is not one of its
relations). A candidate with fewer instances than one episode needs (K + Q for the episodic
protocol, K for natural-NOTA) is an error, or is left out with ``small_relations="skip"``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import Dataset

SMALL_RELATION_MODES = ("error", "skip")


@dataclass
class SamplingPool:
    """Ids per relation (every relation with instances), the N-way candidates, all ids in file order."""

    candidates: list[str]
    ids: dict[str, tuple[str, ...]]
    nonempty: list[str]
    all_ids: list[str]
    all_labels: list[str]
    skipped: list[str]


def instance_index(instance_id: str) -> int:
    """The position in the source file encoded in an instance id (``name/split#index``)."""
    return int(instance_id.rsplit("#", 1)[1])


def make_pool(
    dataset: Dataset, setting: EpisodeSetting, protocol: str, small_relations: str = "error"
) -> SamplingPool:
    """Check ``setting`` against ``dataset`` and index what the sampler needs."""
    if small_relations not in SMALL_RELATION_MODES:
        raise ConfigError(f"small_relations must be one of {SMALL_RELATION_MODES}, got {small_relations!r}")
    ids = {rel: tuple(inst.id for inst in group) for rel, group in dataset.instances.items() if group}
    need = setting.k_shot + (setting.n_query or 0) if protocol == "episodic" else setting.k_shot
    candidates, skipped = [], []
    for rel in dataset.positive_relations:
        count = len(ids.get(rel, ()))
        if count == 0:
            continue
        if count < need:
            if small_relations == "skip":
                skipped.append(rel)
                continue
            raise DataError(_too_small(dataset, setting, protocol, rel, count, need))
        candidates.append(rel)
    if setting.n_way > len(candidates):
        raise DataError(
            f"setting {setting.name}: N={setting.n_way} but {_where(dataset)} has only {len(candidates)} "
            f"relations with at least {need} instances; choose a smaller N"
        )
    pairs = sorted(
        ((inst.id, inst.label) for inst in dataset.all_instances()), key=lambda p: instance_index(p[0])
    )
    return SamplingPool(
        candidates=candidates,
        ids=ids,
        nonempty=list(ids),
        all_ids=[p[0] for p in pairs],
        all_labels=[p[1] for p in pairs],
        skipped=skipped,
    )


def _where(dataset: Dataset) -> str:
    return f"{dataset.name}/{dataset.split}"


def _too_small(
    dataset: Dataset, setting: EpisodeSetting, protocol: str, rel: str, count: int, need: int
) -> str:
    what = f"K+Q={setting.k_shot}+{setting.n_query}" if protocol == "episodic" else f"K={setting.k_shot}"
    return (
        f"setting {setting.name} ({protocol}): relation {rel!r} of {_where(dataset)} has {count} instances "
        f"but {what}={need} are needed; choose a smaller K/Q or leave such relations out (small_relations='skip')"
    )
