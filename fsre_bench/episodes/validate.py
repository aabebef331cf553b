"""Every episode of a file checked against its header: N relations, K supports, Q queries, NOTA share.

A run files its result under the header's setting (``n_way``-``k_shot``), so a header that does not
describe its episodes would mislabel every number computed from them. What "Q" and the NOTA share
mean depends on how the episodes were drawn (see ``setting``):

* default sampler: each relation has Q queries; episode i holds ``nota_per_episode(i)`` NOTA ones;
* codalab sampler: Q (= 1) queries per episode; ``int(n * na_rate)`` of the episodes are NOTA;
* natural-nota: Q queries per episode, NOTA share from the data (the header's na_rate is 0);
* kshot: at most K supports per label and K for some (small labels have fewer), Q test queries, no NOTA.
"""

from __future__ import annotations

import collections
from collections.abc import Sequence
from typing import Any

from fsre_bench.episodes.setting import EpisodeSetting, nota_per_episode
from fsre_bench.errors import DataError
from fsre_bench.types import NOTA, Episode


def check_episodes_match_header(path: str, header: dict[str, Any], episodes: Sequence[Episode]) -> None:
    """Raise a one-line DataError naming the file, line and field of the first episode that disagrees."""
    protocol, sampler = header["protocol"], header["sampler"]
    setting = _header_setting(path, header)
    for index, episode in enumerate(episodes):
        where = f"{path}: line {index + 2} (episode {episode.id})"
        _check_shape(where, header, episode, exact_k=protocol != "kshot")
        if protocol in ("kshot", "natural-nota") or sampler == "codalab":  # Q queries per episode
            _check_query_total(where, header, episode)
        else:  # the default sampler: Q queries per relation
            _check_default_queries(where, header, episode, nota_per_episode(setting, index))
    if sampler == "codalab":
        _check_codalab_nota_share(path, header, episodes)


def _header_setting(path: str, header: dict[str, Any]) -> EpisodeSetting:
    for key in ("n_way", "k_shot", "n_query"):
        value = header[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise DataError(f"{path}: line 1: header field {key} must be an integer >= 1, got {value!r}")
    rate = header["na_rate"]
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate < 1:
        raise DataError(f"{path}: line 1: header field na_rate must be a share 0 <= na_rate < 1, got {rate!r}")
    return EpisodeSetting(header["n_way"], header["k_shot"], header["n_query"], float(rate))


def _check_shape(where: str, header: dict[str, Any], episode: Episode, exact_k: bool) -> None:
    n, k = header["n_way"], header["k_shot"]
    if len(episode.relations) != n:
        raise DataError(f"{where}: n_way: the header says {n} but the episode has {len(episode.relations)} relations")
    if len(set(episode.relations)) != len(episode.relations):
        raise DataError(f"{where}: relations: a relation is listed twice")
    if len(episode.support) != n:
        raise DataError(f"{where}: support: {len(episode.support)} support groups for {n} relations")
    for relation, group in zip(episode.relations, episode.support, strict=True):
        if (len(group) != k) if exact_k else len(group) > k:
            wanted = f"{k}" if exact_k else f"at most {k}"
            raise DataError(f"{where}: k_shot: the header says {wanted} supports per relation but relation "
                            f"{relation!r} has {len(group)}")
    if not exact_k and episode.support and max(len(group) for group in episode.support) != k:
        raise DataError(f"{where}: k_shot: the header says {k} but no label has more than "
                        f"{max(len(group) for group in episode.support)} supports")


def _check_query_total(where: str, header: dict[str, Any], episode: Episode) -> None:
    expected = header["n_query"]
    if len(episode.queries) != expected:
        raise DataError(f"{where}: n_query: expected {expected} queries in the episode, found {len(episode.queries)}")
    if header["protocol"] == "kshot" and NOTA in episode.labels:
        raise DataError(f"{where}: labels: a K-shot split has no NOTA queries")
    if header["protocol"] == "natural-nota" and header["na_rate"]:
        raise DataError(f"{where}: na_rate: natural-nota episodes take their NOTA share from the data, "
                        f"the header says {header['na_rate']}")
    if header["protocol"] == "episodic" and not header["na_rate"] and NOTA in episode.labels:
        raise DataError(f"{where}: na_rate: the header says 0 but the episode has a NOTA query")


def _check_default_queries(where: str, header: dict[str, Any], episode: Episode, expected_nota: int) -> None:
    per_label = collections.Counter(episode.labels)
    for relation in episode.relations:
        if per_label[relation] != header["n_query"]:
            raise DataError(f"{where}: n_query: the header says {header['n_query']} queries per relation but "
                            f"relation {relation!r} has {per_label[relation]}")
    if per_label[NOTA] != expected_nota:
        raise DataError(f"{where}: na_rate: the header's na_rate {header['na_rate']} puts {expected_nota} NOTA "
                        f"queries in this episode, it has {per_label[NOTA]}")


def _check_codalab_nota_share(path: str, header: dict[str, Any], episodes: Sequence[Episode]) -> None:
    expected = int(len(episodes) * header["na_rate"])
    found = sum(1 for episode in episodes if NOTA in episode.labels)
    if found != expected:
        raise DataError(f"{path}: na_rate: the header's na_rate {header['na_rate']} over {len(episodes)} episodes "
                        f"means {expected} NOTA episodes, the file has {found}")
