"""TACRED-format records generated for the ids of FS-TACRED's shipped official id file (seed 160290, 5-1).

TACRED is LDC-licensed; only its ids are public. For every id of the official file this writes a short
made-up record whose label agrees with the FS-TACRED split: each support slot gets one of the 10 test
relations, distinct within an episode (a greedy DSatur colouring of the support co-occurrence graph,
which the real labels prove colourable), and queries not used as supports get, by a hash of their id,
a test relation, no_relation, or a train/dev relation (which fs-tacred/test merges into no_relation).
Sentences are three or four tokens from a small vocabulary, so few are unique (proto embeds each once).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from tests.support.shared_data import SHARED_DATA

DATASETS = SHARED_DATA
ID_FILE = DATASETS / "fs-tacred" / "ids_of_5_way_1_shots_10K_episodes_3q_seed_160290.json"
SPLIT_FILE = DATASETS / "fs-tacred" / "categories_split.json"


def split_relations() -> dict[str, list[str]]:
    data = json.loads(SPLIT_FILE.read_text())
    return {part: [r for r in data[part] if r != "no_relation"] for part in ("train", "dev", "test")}


def colour_supports(episodes: list[Any], colours: list[str]) -> dict[str, str]:
    """Support id -> test relation, distinct within each episode (DSatur: most-constrained id first)."""
    neighbours: dict[str, set[str]] = {}
    for supports, _ in episodes:
        ids = [group[0] for group in supports]
        for one in ids:
            neighbours.setdefault(one, set()).update(i for i in ids if i != one)
    assigned: dict[str, str] = {}
    used: dict[str, set[str]] = {node: set() for node in neighbours}
    pending = set(neighbours)
    while pending:
        node = max(pending, key=lambda n: (len(used[n]), len(neighbours[n]), n))
        free = [c for c in colours if c not in used[node]]
        if not free:
            raise AssertionError(f"fixture colouring failed at {node}")
        # Ids of one relation never meet, so they share most neighbours: join the class whose ids share most.
        colour = max(free, key=lambda c: (sum(len(neighbours[node] & neighbours[m]) for m, v in assigned.items()
                                               if v == c), c))
        assigned[node] = colour
        pending.discard(node)
        for other in neighbours[node]:
            used[other].add(colour)
    return assigned


def _pick(tacred_id: str, choices: list[str]) -> str:
    return choices[int(hashlib.sha1(tacred_id.encode()).hexdigest(), 16) % len(choices)]


def fixture_labels() -> dict[str, str]:
    """Every id of the official file -> its fixture TACRED label, in first-seen order."""
    episodes = json.loads(ID_FILE.read_text())
    split = split_relations()
    labels = colour_supports(episodes, split["test"])
    query_choices = [*split["test"], *["no_relation"] * 20, *split["train"][:5], *split["dev"][:2]]
    for _, queries in episodes:
        for query in queries:
            labels.setdefault(query, _pick(query, query_choices))
    return labels


def fixture_record(tacred_id: str, label: str, tail: str | None = None) -> dict[str, Any]:
    """A three-token sentence; ``tail`` adds a fourth (train/dev records: no sentence shared with test)."""
    subj, obj = _pick(tacred_id, ["Ann", "Bo", "Cy"]), _pick(tacred_id[::-1], ["Xa", "Yu"])
    verb = label.split(":")[-1].split("_")[0][:6]
    return {"id": tacred_id, "relation": label, "token": [subj, verb, obj, *([tail] if tail else [])],
            "subj_start": 0, "subj_end": 0,
            "obj_start": 2, "obj_end": 2, "subj_type": "PERSON", "obj_type": "ORGANIZATION"}


def write_fs_tacred(data_dir: Path, labels: dict[str, str] | None = None) -> Path:
    """tacred/test.json for the official ids (plus small train/dev splits) and the FS-TACRED files under data_dir."""
    labels = fixture_labels() if labels is None else labels
    folder = Path(data_dir) / "tacred"
    folder.mkdir(parents=True, exist_ok=True)
    test = [fixture_record(i, label) for i, label in labels.items()]
    (folder / "test.json").write_text(json.dumps(test), encoding="utf-8")
    split = split_relations()
    for part in ("train", "dev"):
        records = [fixture_record(f"{part}{rel}{n}", rel, f"{part}{n}")
                   for rel in [*split["train"], *split["dev"], *split["test"]] for n in range(3)]
        records += [fixture_record(f"{part}neg{n}", "no_relation", f"{part}neg") for n in range(5)]
        (folder / f"{part}.json").write_text(json.dumps(records), encoding="utf-8")
    fs = Path(data_dir) / "fs-tacred"
    fs.mkdir(exist_ok=True)
    for source in (SPLIT_FILE, ID_FILE):
        (fs / source.name).symlink_to(source)
    return folder
