"""TACRED-format splits written for the tests (TACRED itself is LDC-licensed and never here).

Records follow the LDC JSON release: ``id`` (20 hex characters), ``relation``, ``token`` with
Penn Treebank escapes (-LRB-, -RRB-, ``, ''), inclusive ``subj_start``/``subj_end`` and
``obj_start``/``obj_end``, ``subj_type``/``obj_type``. Sentences come from hand-written templates
filled with made-up names. In every split the ``no_relation`` records come last, so the negative
label is the *last* label in file order: code that assumes it is label 0 gets these tests wrong.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

# label -> (tokens with {s} / {o} slots, subject type, object type)
TEMPLATES: dict[str, tuple[list[str], str, str]] = {
    "per:title": (["{s}", ",", "the", "{o}", "of", "the", "firm", ",", "said", "``", "no", "''", "."], "PERSON", "TITLE"),
    "org:founded_by": (["{s}", "-LRB-", "founded", "by", "{o}", "-RRB-", "grew", "fast", "."], "ORGANIZATION", "PERSON"),
    "per:city_of_birth": (["{s}", "was", "born", "in", "{o}", "-LSB-", "sic", "-RSB-", "."], "PERSON", "CITY"),
    "per:employee_of": (["{s}", "works", "for", "{o}", "-LCB-", "since", "2001", "-RCB-", "."], "PERSON", "ORGANIZATION"),
    "org:country_of_headquarters": (["{s}", "is", "based", "in", "{o}", "."], "ORGANIZATION", "COUNTRY"),
    "per:age": (["{s}", ",", "{o}", ",", "retired", "on", "Monday", "."], "PERSON", "NUMBER"),
    "no_relation": (["{s}", "met", "reporters", "near", "the", "{o}", "offices", "."], "PERSON", "ORGANIZATION"),
}
FILLERS = {
    "PERSON": [["Alice", "Smith"], ["Bob", "Jones"], ["Carol", "White"], ["Dan", "Brown"], ["Eve", "Black"],
               ["Frank", "Green"], ["Grace", "Hall"], ["Henry", "King"], ["Irene", "Lowe"], ["Jack", "Moss"],
               ["Kate", "Nash"], ["Leo", "Park"]],
    "ORGANIZATION": [["Acme", "Corp"], ["Gamma", "Labs"], ["Delta", "Bank"], ["Omega", "Foods"], ["Sigma", "Press"],
                     ["Beta", "Group"], ["Zeta", "Motors"]],
    "TITLE": [["chief", "executive"], ["president"], ["spokesman"], ["finance", "director"]],
    "CITY": [["Paris"], ["Lyon"], ["New", "York"], ["Osaka"], ["Lagos"]],
    "COUNTRY": [["France"], ["Japan"], ["Nigeria"], ["Chile"]],
    "NUMBER": [["54"], ["61"], ["38"], ["72"]],
}
POSITIVE = [label for label in TEMPLATES if label != "no_relation"]
# Per split: (instances per positive label, no_relation instances).
SIZES = {"train": (10, 12), "dev": (3, 4), "test": (6, 60)}  # test: mostly no_relation, as TACRED
# Two real TACRED test ids from the TACREV test patch (ids are public; the text here is made up),
# so the real patch finds 2 of its 936 ids in this fixture and must refuse it.
REAL_TEST_IDS = ("098f65f2e846a27c74d9", "098f65f2e855b721ff1d")


def fill_record(label: str, index: int, split: str) -> dict[str, Any]:
    """Record ``index`` of ``label`` in ``split``, from the label's template."""
    template, subj_type, obj_type = TEMPLATES[label]
    shift = {"train": 0, "dev": 5, "test": 3}[split]
    subj = FILLERS[subj_type][(index + shift) % len(FILLERS[subj_type])]
    obj = FILLERS[obj_type][(index * 3 + shift + 1) % len(FILLERS[obj_type])]
    tokens: list[str] = []
    spans: dict[str, tuple[int, int]] = {}
    for token in template:
        if token in ("{s}", "{o}"):
            words = subj if token == "{s}" else obj
            spans[token] = (len(tokens), len(tokens) + len(words) - 1)  # inclusive, as TACRED
            tokens.extend(words)
        else:
            tokens.append(token)
    digest = hashlib.sha1(f"{split}:{label}:{index}".encode()).hexdigest()[:20]
    return {
        "id": digest, "docid": f"FIXTURE_{split.upper()}.{index:04d}", "relation": label, "token": tokens,
        "subj_start": spans["{s}"][0], "subj_end": spans["{s}"][1], "obj_start": spans["{o}"][0],
        "obj_end": spans["{o}"][1], "subj_type": subj_type, "obj_type": obj_type,
    }


def tacred_records(split: str) -> list[dict[str, Any]]:
    """One split's records: positives label by label, then every no_relation record last."""
    per_label, negatives = SIZES[split]
    records = [fill_record(label, index, split) for label in POSITIVE for index in range(per_label)]
    records += [fill_record("no_relation", index, split) for index in range(negatives)]
    if split == "test":
        for record, real_id in zip(records, REAL_TEST_IDS, strict=False):
            record["id"] = real_id
    return records


def write_tacred(data_dir: Path, splits: tuple[str, ...] = ("train", "dev", "test")) -> Path:
    """``<data_dir>/tacred/<split>.json`` for each split, laid out as the registry expects."""
    folder = Path(data_dir) / "tacred"
    folder.mkdir(parents=True, exist_ok=True)
    for split in splits:
        (folder / f"{split}.json").write_text(json.dumps(tacred_records(split)), encoding="utf-8")
    return folder
