"""FS-TACRED's official test episodes (TACRED ids) -> our episode files, with labels from the user's TACRED.

An official file is a JSON list of 10,000 episodes ``[supports, queries]``: supports are 5 lists of K
TACRED ids (one list per relation), queries are 3 ids. It carries no labels: a support slot's
relation is its instances' label in fs-tacred/test, and a query's gold label is its fs-tacred/test
label when that is one of the episode's five relations, else NOTA (no_relation and the relations
merged into it included), as upstream's sampler assigns targets. Upstream wrote the file with
``json.dump(..., indent=2)``, so ``official_ids_text`` of the converted episodes gives its bytes back.

Scoring (Sabo et al. 2021; MNAV's F1 metric): micro-F1 over the non-NOTA labels with the counts
pooled over every query of every episode of a file (tp = non-NOTA queries predicted exactly, pred =
queries predicted non-NOTA, gold = non-NOTA queries); the harness's ``micro_f1`` on natural-nota
episodes is that pooled metric.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fsre_bench.data.common import parse_json_text
from fsre_bench.episodes.files import episode_file_header
from fsre_bench.episodes.seeding import episode_id
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Dataset, Episode

SAMPLER = "fs-tacred-official"
N_WAY, N_QUERY = 5, 3

IdEpisode = tuple[list[list[str]], list[str]]


def read_official_ids(path: str | Path, k_shot: int) -> list[IdEpisode]:
    """The official id file, shape-checked (5 slots of K ids, 3 queries per episode)."""
    raw = Path(path).read_bytes()
    data = parse_json_text(raw, str(path))
    if not isinstance(data, list):
        raise DataError(f"{path}: an FS-TACRED id file is a JSON list of [supports, queries] episodes")
    for index, item in enumerate(data):
        ok = (isinstance(item, list) and len(item) == 2 and isinstance(item[0], list) and len(item[0]) == N_WAY
              and all(isinstance(g, list) and len(g) == k_shot and all(isinstance(i, str) for i in g) for g in item[0])
              and isinstance(item[1], list) and len(item[1]) == N_QUERY and all(isinstance(i, str) for i in item[1]))
        if not ok:
            raise DataError(f"{path}: episode {index}: expected [{N_WAY} lists of {k_shot} ids, {N_QUERY} query ids]")
    return data


def tacred_positions(tacred_path: str | Path) -> dict[str, int]:
    """TACRED record id -> its position in the user's file (our instance ids are ``<name>/<split>#<position>``)."""
    data = parse_json_text(Path(tacred_path).read_bytes(), str(tacred_path))
    return {str(record.get("id")): position for position, record in enumerate(data) if isinstance(record, dict)}


def _instance_ids(ids: list[IdEpisode], positions: dict[str, int], dataset: Dataset, where: str) -> dict[str, str]:
    """Every TACRED id of the file -> our instance id; one line naming the first id the user's TACRED lacks."""
    wanted = dict.fromkeys(i for supports, queries in ids for i in (*(x for g in supports for x in g), *queries))
    missing = [i for i in wanted if i not in positions]
    if missing:
        raise DataError(f"{where}: {len(missing)} of its {len(wanted)} TACRED ids are not in your TACRED "
                        f"{dataset.split} ({dataset.source_path}) (first: {missing[0]!r}); is it the LDC2018T24 JSON?")
    return {i: f"{dataset.name}/{dataset.split}#{positions[i]}" for i in wanted}


def _slot_relations(supports: list[list[str]], labels: dict[str, str], test_relations: set[str]) -> list[str] | str:
    """The episode's relations, or the first support id whose label contradicts the split."""
    relations = []
    for group in supports:
        slot = labels[group[0]]
        for inst in group:
            if labels[inst] != slot or labels[inst] not in test_relations or labels[inst] in relations:
                return inst
        relations.append(slot)
    return relations


def official_episodes(ids: list[IdEpisode], dataset: Dataset, positions: dict[str, int], seed: int, where: str) -> list[Episode]:
    """Our episodes of one official file; ids missing from, or labels contradicting, the split: one line."""
    to_ours = _instance_ids(ids, positions, dataset, where)
    by_id = dataset.by_id
    labels = {tacred: by_id[ours].label for tacred, ours in to_ours.items()}
    test_relations = set(dataset.relations) - {dataset.negative_label}
    episodes, bad = [], []
    for index, (supports, queries) in enumerate(ids):
        relations = _slot_relations(supports, labels, test_relations)
        if isinstance(relations, str):
            bad.append(relations)
            continue
        chosen = set(relations)
        episodes.append(Episode(
            id=episode_id(seed, index), relations=tuple(relations),
            support=tuple(tuple(to_ours[i] for i in group) for group in supports),
            queries=tuple(to_ours[i] for i in queries),
            labels=tuple(labels[i] if labels[i] in chosen else NOTA for i in queries),
        ))
    if bad:
        first = bad[0]
        raise DataError(f"{where}: {len(bad)} episodes have supports whose labels in your TACRED contradict the "
                        f"FS-TACRED split (first: support {first!r} labelled {labels[first]!r}; a slot's supports must "
                        f"share one of the split's test relations, distinct within the episode)")
    return episodes


def official_header(dataset: Dataset, k_shot: int, seed: int, official: str, official_file: str,
                    checksum: dict[str, str]) -> dict[str, Any]:
    """Our header, saying which official file the episodes came from."""
    setting = EpisodeSetting(n_way=N_WAY, k_shot=k_shot, n_query=N_QUERY)
    return episode_file_header(dataset, protocol="natural-nota", setting=setting, seed=seed, n_episodes=10_000,
                               sampler=SAMPLER, official=official, official_file=official_file, official_checksum=checksum)


def official_ids_text(episodes: list[Episode], dataset: Dataset, positions: dict[str, int]) -> str:
    """The official id file's exact text, rebuilt from our episodes (upstream: ``json.dump(indent=2)``)."""
    tacred_of = {f"{dataset.name}/{dataset.split}#{p}": tacred for tacred, p in positions.items()}
    data = [[[[tacred_of[i] for i in group] for group in e.support], [tacred_of[i] for i in e.queries]] for e in episodes]
    return json.dumps(data, indent=2)


def convert_official(name: str, data_dir: Path, out_dir: Path) -> list[tuple[Path, str]]:
    """Each official id file of ``name`` (one file or the group of five) -> an episode file under ``out_dir``.

    An id file not yet fetched, or not the official one, is refused; every converted file is checked
    to give the official bytes back before it is written.
    """
    from fsre_bench.data import load_dataset
    from fsre_bench.data.fetch import checksum_problem
    from fsre_bench.data.registry import dataset_groups, get_spec
    from fsre_bench.episodes.files import write_episode_file

    members = dataset_groups().get(name, (name,))
    if any(get_spec(member).format != "fs-tacred-ids" for member in members):
        raise DataError(f"{name} is not an FS-TACRED official id file (fs-tacred/test-5-1, fs-tacred/test-5-5 or one seed's)")
    dataset = load_dataset("fs-tacred/test", data_dir)
    positions = tacred_positions(data_dir / get_spec("tacred/test").relpath)
    written = []
    for member in members:
        spec = get_spec(member)
        path = data_dir / spec.relpath
        if not path.is_file():
            raise DataError(f"{member} is not at {path}: fetch it with `fsre-bench data fetch {name}` (or --mirror DIR)")
        problem = checksum_problem(spec, path)
        if problem is not None:
            raise DataError(f"{path}: not the official {member} ({problem})")
        k_shot, seed = int(member.split("-")[-2]), int(member.rsplit("s", 1)[1])
        episodes = official_episodes(read_official_ids(path, k_shot), dataset, positions, seed, str(path))
        if official_ids_text(episodes, dataset, positions).encode() != path.read_bytes():
            raise DataError(f"{path}: the converted episodes do not give the official file back (a bug: report it)")
        checksum = {"sha256": spec.sha256} if spec.sha256 else {"git_blob_sha1": spec.git_blob_sha1 or ""}
        header = official_header(dataset, k_shot, seed, member, Path(spec.relpath).name, checksum)
        target = Path(out_dir) / f"{member.replace('/', '_')}.episodes.jsonl"
        target.parent.mkdir(parents=True, exist_ok=True)
        write_episode_file(target, header, episodes)
        written.append((target, member))
    return written
