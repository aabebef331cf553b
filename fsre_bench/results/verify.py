"""Is a result what its predictions logs say? Hashes, counts and every metric recomputed from the logs.

``check_result`` is the one check the leaderboard, the static site and ``fsre-bench verify`` call:
a result file edited by hand (an accuracy changed, a log swapped) no longer matches its logs, and is
refused with one line naming the file and the first field that differs. ``check_episodes`` (verify
only: it needs the datasets) also rebuilds each episode file from its header and checks the logs'
episode ids and gold labels against it.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fsre_bench.errors import DataError, FsreError
from fsre_bench.results.model import ResultFile
from fsre_bench.results.predictions import parse_predictions_log, read_predictions_log_bytes

# Recomputation runs the same code on the same numbers; the tolerance only absorbs a different
# numpy's last bits. A hand edit of a reported figure is far above it.
_REL_TOL, _ABS_TOL = 1e-9, 1e-12
# Schema-1 files were written before the bootstrap took its current form (they are test fixtures now):
# their means, per-seed scores and std still recompute exactly, their CI bounds no longer do.
V1_RECOMPUTED = ("mean", "per_seed", "std_over_seeds")
_CHECK_VERSION = "1"  # bump when check_result checks more, so remembered passes are redone


class ResultMismatch(DataError):
    """A result file disagrees with its predictions logs (or they cannot be read)."""


def read_seed_logs(row: ResultFile) -> list[list[dict[str, Any]]]:
    """Each seed's log records, after checking the log's sha256, header and size against the result."""
    records_per_seed = []
    for seed_row in row.result["per_seed"]:
        log_path = row.path.parent / seed_row["predictions"]
        raw = read_predictions_log_bytes(log_path)
        recorded = seed_row.get("predictions_sha256")
        if recorded is not None and hashlib.sha256(raw).hexdigest() != recorded:
            raise ResultMismatch(f"{row.path}: seed {seed_row['seed']}: predictions log {log_path.name} has sha256 "
                                 f"{hashlib.sha256(raw).hexdigest()[:12]}, the result records {recorded[:12]}")
        _check_log_header(row, seed_row, raw, log_path)
        records = parse_predictions_log(raw, log_path)
        _check_sizes(row, seed_row, records)
        records_per_seed.append(records)
    return records_per_seed


def _check_log_header(row: ResultFile, seed_row: dict[str, Any], raw: bytes, log_path: Path) -> None:
    import json

    try:
        header = json.loads(raw.split(b"\n", 1)[0])
    except ValueError:
        raise ResultMismatch(f"{row.path}: {log_path.name}: line 1 is not a predictions-log header") from None
    for key, expected in (("episode_file_sha256", seed_row["episode_file_sha256"]), ("seed", seed_row["seed"])):
        if not isinstance(header, dict) or header.get(key) != expected:
            got = header.get(key) if isinstance(header, dict) else None
            raise ResultMismatch(f"{row.path}: seed {seed_row['seed']}: log {log_path.name} header has {key} "
                                 f"{got!r}, the result records {expected!r}")


def _check_sizes(row: ResultFile, seed_row: dict[str, Any], records: Sequence[dict[str, Any]]) -> None:
    queries = sum(len(record["gold"]) for record in records)
    for field, recorded, actual in (("n_episodes", seed_row["n_episodes"], len(records)),
                                    ("n_queries", seed_row["n_queries"], queries)):
        if recorded != actual:
            raise ResultMismatch(f"{row.path}: seed {seed_row['seed']}: {field} is {recorded}, its log holds {actual}")


def check_result(row: ResultFile) -> list[list[dict[str, Any]]]:
    """Each seed's log records; ResultMismatch (one line) unless every recorded metric equals the recomputed one."""
    from fsre_bench.results.recompute import (  # numpy, scipy
        METRIC_NAMES,
        records_counts,
        seed_metrics,
        summarize_counts,
    )

    records_per_seed = read_seed_logs(row)
    result = row.result
    counts = records_counts(records_per_seed, result["dataset"].get("negative_label"), result["protocol"])
    for seed_row, seed_counts in zip(result["per_seed"], counts, strict=True):
        _compare(row, f"per_seed[seed {seed_row['seed']}].metrics", seed_row["metrics"], seed_metrics(seed_counts))
    recomputed = summarize_counts(counts, protocol=result["protocol"], trained=result["method"]["type"] == "trained",
                                  n_bootstrap=int(result["config"].get("n_bootstrap") or 1000))
    for name in METRIC_NAMES:
        if result["schema_version"] == 1:  # v1 CIs came from an older bootstrap: only point estimates recompute
            recomputed[name] = {key: recomputed[name][key] for key in V1_RECOMPUTED}
        _compare(row, f"metrics.{name}", result["metrics"][name], recomputed[name])
    return records_per_seed


def _compare(row: ResultFile, where: str, recorded: Any, recomputed: Any) -> None:
    if isinstance(recomputed, dict):
        for key, value in recomputed.items():
            _compare(row, f"{where}.{key}", recorded.get(key) if isinstance(recorded, dict) else None, value)
    elif isinstance(recomputed, list | tuple):
        if not isinstance(recorded, list) or len(recorded) != len(recomputed):
            raise ResultMismatch(f"{row.path}: {where} is {recorded!r}, its logs give {list(recomputed)!r}")
        for index, (a, b) in enumerate(zip(recorded, recomputed, strict=True)):
            _compare(row, f"{where}[{index}]", a, b)
    elif not _same(recorded, recomputed):
        raise ResultMismatch(f"{row.path}: {where} is {recorded!r}, its logs give {recomputed!r}")


def _same(recorded: Any, recomputed: Any) -> bool:
    if isinstance(recomputed, float) and isinstance(recorded, int | float) and not isinstance(recorded, bool):
        if math.isnan(recomputed):
            return math.isnan(recorded)
        return math.isclose(recorded, recomputed, rel_tol=_REL_TOL, abs_tol=_ABS_TOL)
    return recorded == recomputed


def check_episodes(row: ResultFile, records_per_seed: Sequence[Sequence[dict[str, Any]]],
                   data_dir: Path | None, rebuilt: dict[str, Any]) -> str | None:
    """Rebuild each seed's episode file from its header; None, or a note when its dataset is not at hand.

    ``rebuilt`` caches (sha256, episodes) by recorded episode-file sha256 (results share episode files).
    """
    from fsre_bench.episodes.rebuild import rebuild_episodes

    limit = row.result["config"].get("limit")
    for file_info, records in zip(row.result["episodes"]["files"], records_per_seed, strict=True):
        sha = file_info["sha256"]
        if sha not in rebuilt:
            try:
                rebuilt[sha] = rebuild_episodes(file_info["header"], data_dir, query_limit=limit)
            except FsreError as exc:
                rebuilt[sha] = exc
        built = rebuilt[sha]
        if isinstance(built, FsreError):
            return f"episodes not rebuilt for seed {file_info['seed']} ({str(built).splitlines()[0]})"
        built_sha, episodes = built
        if built_sha != sha:
            raise ResultMismatch(f"{row.path}: seed {file_info['seed']}: the episode file rebuilt from its header has "
                                 f"sha256 {built_sha[:12]}, the result records {sha[:12]}")
        _check_gold(row, file_info["seed"], records, episodes)
    return None


def _check_gold(row: ResultFile, seed: int, records: Sequence[dict[str, Any]], episodes: Sequence[Any]) -> None:
    by_id = {episode.id: episode for episode in episodes}
    for number, record in enumerate(records, start=2):
        episode = by_id.get(record["episode"])
        if episode is None:
            raise ResultMismatch(f"{row.path}: seed {seed}: log line {number}: episode {record['episode']!r} is not "
                                 "in its episode file")
        if list(record["gold"]) != list(episode.labels):
            raise ResultMismatch(f"{row.path}: seed {seed}: log line {number} (episode {episode.id}): gold labels "
                                 "differ from the episode file's")


def unverified_results(paths: Iterable[Path]) -> list[str]:
    """One line per result file whose recorded metrics or hashes do not match its logs (empty: all match).

    A file recomputed once is remembered by the sha256 of its bytes (``<cache>/verified``); later calls
    only re-hash its logs against the hashes it records, so an unchanged results tree checks fast.
    """
    problems = []
    for path in paths:
        try:
            row = ResultFile.load(path)
        except FsreError as exc:  # not a result file at all: refused as before, --trust-results or not
            problems.append(str(exc).splitlines()[0])
            continue
        try:
            _check_remembered(row)
        except FsreError as exc:  # a mismatch, or a log that cannot be read to check against
            problems.append(f"{str(exc).splitlines()[0]} (not published; --trust-results publishes it anyway)")
    return problems


def _check_remembered(row: ResultFile) -> None:
    from fsre_bench.bounded_read import check_regular_file
    from fsre_bench.cache import cache_dir, file_sha256

    seeds = row.result["per_seed"]
    memo = _memo_path(row, cache_dir)
    if memo is not None and memo.exists() and all("predictions_sha256" in s for s in seeds):
        for seed_row in seeds:
            log_path = row.path.parent / seed_row["predictions"]
            try:
                check_regular_file(log_path, "log")
                actual = file_sha256(log_path)
            except OSError as exc:
                raise DataError(f"{log_path}: cannot read the predictions log ({exc.strerror})") from None
            if actual != seed_row["predictions_sha256"]:
                raise ResultMismatch(f"{row.path}: seed {seed_row['seed']}: predictions log {log_path.name} has "
                                     f"sha256 {actual[:12]}, the result records {seed_row['predictions_sha256'][:12]}")
        return
    check_result(row)
    if memo is not None:
        with contextlib.suppress(OSError):  # an unwritable cache only costs the next call a recomputation
            memo.touch()


def _memo_path(row: ResultFile, cache_dir: Any) -> Path | None:
    try:
        raw = row.path.read_bytes()  # already read and validated by ResultFile.load, within the result limit
        return cache_dir("verified") / f"{_CHECK_VERSION}-{hashlib.sha256(raw).hexdigest()}"
    except OSError:
        return None
