"""Episodes as text for a system outside the harness: supports and queries with entity offsets, no gold.

The handed-out file never carries an instance id: ids are ``<dataset>/<split>#<index in file>`` and
source files are often grouped by relation (FewRel's 700 per relation), so a query's id would give
its label away. A query is named by (episode id, query index) only, which is what predictions cite.
"""

from __future__ import annotations

from typing import Any

from fsre_bench.types import NOTA, Episode, EpisodeData, RelationInstance

TEXT_FORMAT = "fsre-bench.episodes-text/1"
GOLD_FORMAT = "fsre-bench.episodes-gold/1"


def entity_record(instance: RelationInstance, which: str) -> dict[str, Any]:
    """The first mention (as our methods use it): its text, [start, end) token span and character span in ``text``."""
    start, end = instance.head_span if which == "head" else instance.tail_span
    char_start = sum(len(token) + 1 for token in instance.tokens[:start])
    char_end = char_start + len(" ".join(instance.tokens[start:end]))
    record: dict[str, Any] = {
        "text": " ".join(instance.tokens[start:end]),  # == text[char_start:char_end], even for a split mention
        "token_span": [start, end],
        "char_span": [char_start, char_end],
    }
    entity_type = instance.head_type if which == "head" else instance.tail_type
    if entity_type is not None:
        record["type"] = entity_type
    return record


def instance_record(instance: RelationInstance) -> dict[str, Any]:
    """One sentence: ``text`` is the tokens joined by single spaces, so char spans index it exactly."""
    return {"text": instance.text, "tokens": list(instance.tokens),
            "head": entity_record(instance, "head"), "tail": entity_record(instance, "tail")}


def episode_text_record(episode: Episode, data: EpisodeData) -> dict[str, Any]:
    """Candidates (label, name, description, labelled supports[, dev]) and the queries to answer, in order."""
    candidates = []
    for index, label in enumerate(episode.relations):
        relation = data.relations.get(label)
        candidate: dict[str, Any] = {
            "label": label,
            "name": relation.name if relation else label,
            "description": relation.description if relation else "",
            "supports": [instance_record(data.instances[i]) for i in episode.support[index]],
        }
        if episode.dev is not None:
            candidate["dev"] = [instance_record(data.instances[i]) for i in episode.dev[index]]
        candidates.append(candidate)
    queries = [{"query_index": n, **instance_record(data.instances[i])} for n, i in enumerate(episode.queries)]
    return {"episode_id": episode.id, "candidates": candidates, "queries": queries}


def text_header(episode_header: dict[str, Any], episode_file_sha256: str, has_nota: bool) -> dict[str, Any]:
    """What an outside system needs to know before the episodes: the task, the answer format, the file it is from."""
    keys = ("dataset", "split", "protocol", "n_way", "k_shot", "n_query", "na_rate", "sampler", "seed", "n_episodes")
    return {
        "format": TEXT_FORMAT,
        "episode_file_sha256": episode_file_sha256,
        **{key: episode_header.get(key) for key in keys},
        "nota_possible": has_nota,
        "nota_label": NOTA,
        "answer": 'JSONL: line 1 {"episode_file_sha256": <this header\'s>}, then one line per episode '
                  '{"episode_id": ..., "predictions": [label per query, in query_index order]} or one per query '
                  '{"episode_id": ..., "query_index": ..., "label": ...}; a label is a candidate\'s "label" or '
                  f'{NOTA!r}',
    }


def gold_header(episode_file_sha256: str) -> dict[str, Any]:
    return {"format": GOLD_FORMAT, "episode_file_sha256": episode_file_sha256}


def gold_record(episode: Episode) -> dict[str, Any]:
    return {"episode_id": episode.id, "labels": list(episode.labels)}
