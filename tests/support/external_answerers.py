"""Stand-ins for systems outside the harness, run as separate processes: they read only an exported text file
(and, for ``copy``, a predictions log of a method the harness ran) and write a predictions JSONL.

    python tests/support/external_answerers.py first TEXT OUT [--per-query]
    python tests/support/external_answerers.py copy TEXT LOG OUT
"""

from __future__ import annotations

import json
import sys


def read_text_file(path: str) -> tuple[dict, list[dict]]:
    with open(path, encoding="utf-8") as handle:
        lines = [json.loads(line) for line in handle if line.strip()]
    return lines[0], lines[1:]


def first_candidate(text_path: str, out_path: str, per_query: bool) -> None:
    header, episodes = read_text_file(text_path)
    lines = [{"episode_file_sha256": header["episode_file_sha256"]}]
    for episode in episodes:
        first = episode["candidates"][0]["label"]
        if per_query:
            lines.extend({"episode_id": episode["episode_id"], "query_index": q["query_index"], "label": first}
                         for q in reversed(episode["queries"]))  # any order: lines are matched by index
        else:
            lines.append({"episode_id": episode["episode_id"], "predictions": [first] * len(episode["queries"])})
    write_jsonl(out_path, lines)


def copy_log(text_path: str, log_path: str, out_path: str) -> None:
    """A method's answers, keyed by the text file's episode ids (the log's gold is never read)."""
    header, episodes = read_text_file(text_path)
    with open(log_path, encoding="utf-8") as handle:
        answers = {record["episode"]: record["pred"] for record in map(json.loads, list(handle)[1:])}
    lines = [{"episode_file_sha256": header["episode_file_sha256"]}]
    lines.extend({"episode_id": e["episode_id"], "predictions": answers[e["episode_id"]]} for e in episodes)
    write_jsonl(out_path, lines)


def write_jsonl(path: str, lines: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(line) + "\n" for line in lines)


if __name__ == "__main__":
    if sys.argv[1] == "first":
        first_candidate(sys.argv[2], sys.argv[3], per_query="--per-query" in sys.argv)
    else:
        copy_log(sys.argv[2], sys.argv[3], sys.argv[4])
