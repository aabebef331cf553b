"""``sampler="codalab"``: the official FewRel CodaLab test stream, draw for draw.

The official ``sample_io.py`` (thunlp/FewRel) seeds Python's global ``random`` once (12345 for
the published test inputs) and, per episode: ``sample(relations, N)``; a target position
``choice(range(N))``; for each sampled relation in order ``sample(instances, K)`` supports; then
the single query ``choice(instances of the target)``, which may be one of the target's supports
(the known quirk). ``relations`` is the file's key list in file order: Python >= 3.11 refuses
to sample a dict's keys, and a list keeps the draws of older Pythons that converted keys to a
sequence in insertion order.

With ``na_rate`` > 0 the FewRel 2.0 script is followed instead: first int(n * na_rate) NOTA
episodes (N relations; an outside relation by repeated ``sample(relations, 1)`` until it is not
among the N; the supports; the query ``choice`` from the outside relation), then the ordinary
episodes, then one pass ``for i in 1..n-1: j = randint(0, i-1); swap(i, j)`` over the stream.
That stream depends on n_episodes as a whole, so its prefixes are not shorter streams.
"""

from __future__ import annotations

import random

from fsre_bench.episodes.seeding import episode_id
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import NOTA, Dataset, Episode

CODALAB_SEED = 12345

# (sampled relations, supports per relation, the query id, its gold label)
Draw = tuple[list[str], tuple[tuple[str, ...], ...], str, str]


def _supports(rng: random.Random, ids: dict[str, tuple[str, ...]], chosen: list[str], k: int) -> tuple:
    return tuple(tuple(rng.sample(ids[rel], k)) for rel in chosen)


def _ordinary_draw(
    rng: random.Random, relations: list[str], ids: dict[str, tuple[str, ...]], n: int, k: int
) -> Draw:
    chosen = rng.sample(relations, n)
    target = chosen[rng.choice(range(len(chosen)))]
    support = _supports(rng, ids, chosen, k)
    return chosen, support, rng.choice(ids[target]), target


def _nota_draw(
    rng: random.Random, relations: list[str], ids: dict[str, tuple[str, ...]], n: int, k: int
) -> Draw:
    chosen = rng.sample(relations, n)
    outside = rng.sample(relations, 1)[0]
    while outside in chosen:
        outside = rng.sample(relations, 1)[0]
    support = _supports(rng, ids, chosen, k)
    return chosen, support, rng.choice(ids[outside]), NOTA


def _check(dataset: Dataset, setting: EpisodeSetting, relations: list[str], ids: dict) -> None:
    if setting.n_query not in (None, 1):
        raise ConfigError(f"setting {setting.name}: the codalab sampler has exactly 1 query per episode")
    if setting.n_way > len(relations) or (setting.na_rate and setting.n_way == len(relations)):
        raise DataError(
            f"setting {setting.name}: N={setting.n_way} but {dataset.name}/{dataset.split} has {len(relations)} "
            "relations (NOTA needs at least one more)"
        )
    for rel in relations:
        if len(ids[rel]) < setting.k_shot:
            raise DataError(
                f"setting {setting.name} (codalab): relation {rel!r} of {dataset.name}/{dataset.split} has "
                f"{len(ids[rel])} instances but K={setting.k_shot} are needed"
            )


def codalab_episodes(dataset: Dataset, setting: EpisodeSetting, seed: int, n_episodes: int) -> list[Episode]:
    """The official stream of ``n_episodes`` episodes for ``seed`` (CODALAB_SEED for the test inputs)."""
    relations = [rel for rel in dataset.relations if dataset.instances.get(rel)]
    ids = {rel: tuple(inst.id for inst in dataset.instances[rel]) for rel in relations}
    _check(dataset, setting, relations, ids)
    rng = random.Random(seed)
    n, k = setting.n_way, setting.k_shot
    if setting.na_rate:
        n_nota = int(n_episodes * setting.na_rate)
        draws = [_nota_draw(rng, relations, ids, n, k) for _ in range(n_nota)]
        draws += [_ordinary_draw(rng, relations, ids, n, k) for _ in range(n_episodes - n_nota)]
        for i in range(1, n_episodes):
            j = rng.randint(0, i - 1)
            draws[i], draws[j] = draws[j], draws[i]
    else:
        draws = [_ordinary_draw(rng, relations, ids, n, k) for _ in range(n_episodes)]
    return [
        Episode(
            id=episode_id(seed, i),
            relations=tuple(chosen),
            support=support,
            queries=(query,),
            labels=(label,),
        )
        for i, (chosen, support, query, label) in enumerate(draws)
    ]
