"""Episode files: JSONL of ids (never text), a header line first, canonical JSON, byte-stable.

Line 1 is the header ``{"format": "fsre-bench.episodes/1", "dataset", "split",
"dataset_sha256", "protocol", "n_way", "k_shot", "n_query", "na_rate", "sampler", "seed",
"n_episodes"}`` (K-shot files add ``train_dataset``, ``train_split``, ``train_dataset_sha256``:
their supports and dev ids come from the train split). Each further line is one episode
``{"id", "relations", "support", "queries", "labels"[, "dev"]}``. Keys are sorted and there is
no whitespace, so the same episodes give the same bytes and the same sha256.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any

from fsre_bench.atomic import atomic_write_text
from fsre_bench.bounded_read import read_bounded
from fsre_bench.cache import canonical_json, file_sha256
from fsre_bench.data.common import parse_json_text
from fsre_bench.episodes.setting import EpisodeSetting
from fsre_bench.episodes.validate import check_episodes_match_header
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Dataset, Episode

FORMAT = "fsre-bench.episodes/1"
HEADER_KEYS = (
    "format", "dataset", "split", "dataset_sha256", "protocol", "n_way", "k_shot", "n_query", "na_rate",
    "sampler", "seed", "n_episodes",
)  # fmt: skip
_EPISODE_KEYS = ("id", "relations", "support", "queries", "labels")


def episode_file_header(
    dataset: Dataset,
    *,
    protocol: str,
    setting: EpisodeSetting,
    seed: int,
    n_episodes: int,
    sampler: str = "default",
    **extra: Any,
) -> dict[str, Any]:
    """The header for episodes ``build_episodes`` made with these arguments (extra keys allowed)."""
    setting = setting.resolved(protocol, sampler)
    header = {
        "format": FORMAT,
        "dataset": dataset.name,
        "split": dataset.split,
        "dataset_sha256": dataset.source_sha256,
        "protocol": protocol,
        "n_way": setting.n_way,
        "k_shot": setting.k_shot,
        "n_query": setting.n_query,
        "na_rate": setting.na_rate,
        "sampler": sampler,
        "seed": seed,
        "n_episodes": n_episodes,
    }
    header.update(extra)
    return header


def kshot_file_header(train: Dataset, test: Dataset, episode: Episode, k: int, seed: int) -> dict[str, Any]:
    """The header for one K-shot split (``sample_kshot_split``) of ``train`` evaluated on ``test``."""
    setting = EpisodeSetting(n_way=len(episode.relations), k_shot=k, n_query=len(episode.queries))
    return episode_file_header(
        test, protocol="kshot", setting=setting, seed=seed, n_episodes=1, sampler="kshot",
        train_dataset=train.name, train_split=train.split, train_dataset_sha256=train.source_sha256,
    )  # fmt: skip


def episode_record(episode: Episode) -> dict[str, Any]:
    """One episode as the JSON object of its file line (ids only)."""
    record: dict[str, Any] = {
        "id": episode.id,
        "relations": list(episode.relations),
        "support": [list(group) for group in episode.support],
        "queries": list(episode.queries),
        "labels": list(episode.labels),
    }
    if episode.dev is not None:
        record["dev"] = [list(group) for group in episode.dev]
    return record


def episodes_text(header: dict[str, Any], episodes: list[Episode]) -> str:
    """The exact file content: canonical JSON lines, header first, newline-terminated."""
    lines = [canonical_json(header)]
    lines.extend(canonical_json(episode_record(episode)) for episode in episodes)
    return "\n".join(lines) + "\n"


def write_episode_file(path: str | os.PathLike[str], header: dict[str, Any], episodes: list[Episode]) -> str:
    """Write atomically; returns the file's sha256 hex."""
    missing = [key for key in HEADER_KEYS if key not in header]
    if missing:
        raise DataError(f"{path}: episode file header lacks {', '.join(missing)} (use episode_file_header)")
    if header["n_episodes"] != len(episodes):
        raise DataError(
            f"{path}: header says n_episodes={header['n_episodes']} but {len(episodes)} episodes were given"
        )
    data = episodes_text(header, episodes).encode("utf-8")
    atomic_write_text(path, data.decode("utf-8"))
    return hashlib.sha256(data).hexdigest()


def episode_file_sha256(path: str | os.PathLike[str]) -> str:
    """sha256 hex of an episode file's bytes."""
    try:
        return file_sha256(path)
    except OSError as exc:
        raise DataError(f"cannot read episode file {path}: {exc.strerror}") from None


def _episode(record: Any, where: str) -> Episode:
    if not isinstance(record, dict) or any(key not in record for key in _EPISODE_KEYS):
        missing = [k for k in _EPISODE_KEYS if not isinstance(record, dict) or k not in record]
        raise DataError(f"{where}: episode record lacks {', '.join(missing)}")
    try:
        dev = record.get("dev")
        episode = Episode(
            id=str(record["id"]),
            relations=tuple(record["relations"]),
            support=tuple(tuple(group) for group in record["support"]),
            queries=tuple(record["queries"]),
            labels=tuple(record["labels"]),
            dev=tuple(tuple(group) for group in dev) if dev is not None else None,
        )
    except (TypeError, ValueError) as exc:
        raise DataError(f"{where}: malformed episode: {exc}") from None
    allowed = {*episode.relations, NOTA}
    stray = next((label for label in episode.labels if label not in allowed), None)
    if stray is not None:
        raise DataError(f"{where}: gold label {stray!r} is neither one of the episode's relations nor NOTA")
    return episode


def _check_built_for(
    path: str, header: dict[str, Any], prefix: str, expected: Dataset | None, what: str
) -> None:
    if expected is None:
        return
    built = (
        header.get(f"{prefix}dataset"),
        header.get(f"{prefix}split"),
        header.get(f"{prefix}dataset_sha256"),
    )
    if built != (expected.name, expected.split, expected.source_sha256):
        raise DataError(
            f"{path}: {what} built from {built[0]}/{built[1]} (sha256 {str(built[2])[:12]}) but the dataset is "
            f"{expected.name}/{expected.split} (sha256 {expected.source_sha256[:12]}); rebuild the episodes"
        )


def _check_header(
    header: Any, path: str, expected: Dataset | None, expected_train: Dataset | None
) -> dict[str, Any]:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        found = header.get("format") if isinstance(header, dict) else type(header).__name__
        raise DataError(
            f"{path}: line 1: not an fsre-bench episode file (format {found!r}, expected {FORMAT!r})"
        )
    missing = [key for key in HEADER_KEYS if key not in header]
    if missing:
        raise DataError(f"{path}: line 1: header lacks {', '.join(missing)}")
    _check_built_for(path, header, "", expected, "episodes")
    if header["protocol"] == "kshot":
        _check_built_for(path, header, "train_", expected_train, "train split")
    return header


def _check_ids(episode: Episode, where: str, dataset: Dataset, ids: Any, role: str) -> None:
    known = dataset.by_id
    unknown = next((i for i in ids if i not in known), None)
    if unknown is not None:
        raise DataError(f"{where}: {role} id {unknown!r} is not in dataset {dataset.name}/{dataset.split}")


def read_episode_file(
    path: str | os.PathLike[str],
    *,
    expected_dataset: Dataset | None = None,
    expected_sha256: str | None = None,
    expected_train_dataset: Dataset | None = None,
) -> tuple[dict[str, Any], list[Episode]]:
    """(header, episodes), checked against an expected sha256 / dataset (K-shot: train for supports)."""
    try:
        raw = read_bounded(path, "episodes")
    except OSError as exc:
        raise DataError(f"cannot read episode file {path}: {exc.strerror}") from None
    path = str(path)
    if expected_sha256 is not None and hashlib.sha256(raw).hexdigest() != expected_sha256:
        actual = hashlib.sha256(raw).hexdigest()
        raise DataError(
            f"{path}: sha256 {actual[:12]} does not match the expected {expected_sha256[:12]}; the file changed"
        )
    lines = raw.decode("utf-8", errors="replace").splitlines()
    if not lines:
        raise DataError(f"{path}: empty episode file")
    header = _check_header(
        parse_json_text(lines[0], path, line=1), path, expected_dataset, expected_train_dataset
    )
    support_source = expected_dataset if header["protocol"] != "kshot" else expected_train_dataset
    episodes: list[Episode] = []
    seen: set[str] = set()
    for lineno, line in enumerate(lines[1:], start=2):
        episode = _episode(parse_json_text(line, path, line=lineno), f"{path}: line {lineno}")
        where = f"{path}: line {lineno} (episode {episode.id})"
        if episode.id in seen:
            raise DataError(f"{where}: duplicate episode id")
        seen.add(episode.id)
        if expected_dataset is not None:
            _check_ids(episode, where, expected_dataset, episode.queries, "query")
        if support_source is not None:
            _check_ids(
                episode, where, support_source, (i for group in episode.support for i in group), "support"
            )
            _check_ids(
                episode, where, support_source, (i for group in episode.dev or () for i in group), "dev"
            )
        episodes.append(episode)
    if len(episodes) != header["n_episodes"]:
        raise DataError(
            f"{path}: header says {header['n_episodes']} episodes but the file has {len(episodes)} (truncated?)"
        )
    check_episodes_match_header(path, header, episodes)
    return header, episodes
