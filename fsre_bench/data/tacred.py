"""TACRED JSON (LDC2018T24) and the TACREV / Re-TACRED label patches.

Supported patch files (``patch=`` argument of the loader):

* TACREV (DFKI-NLP/tacrev ``patch/{dev,test}_patch.json``): a JSON list of objects
  ``{"id": <TACRED id>, "relation": <label>, ...}``; each listed record's fields are replaced.
* Re-TACRED (gstoica27/Re-TACRED ``Re-TACRED/{train,dev,test}_id2label.json``) and any simple
  patch: a JSON object ``{<TACRED id>: <label>}``.

``patch_unlisted`` says what happens to records the patch does not list: ``"keep"`` (TACREV,
default) leaves them as they are, ``"drop"`` removes them (Re-TACRED drops the records it
discarded). A patch naming an id the file lacks is refused with one line: the file is not the
TACRED split the patch was made for. Instance ids keep the record's position in the original
TACRED file, so dropped records leave gaps. The registry names the official patches
(``tacrev/test_patch``, ``retacred/train_patch``, ...) and the datasets built with them
(``tacrev/test``, ``retacred/train``, ...); a patched Dataset carries its ``PatchReport`` as
``patch_report`` (plus, for a registered patch, whether its file is the official one).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from fsre_bench.data.common import (
    dataset_from_groups,
    mention_from_span,
    read_json_sidecar,
    readable_relation_name,
    record_error,
    require_fields,
    require_tokens,
)
from fsre_bench.errors import DataError
from fsre_bench.types import Dataset, Relation, RelationInstance

NEGATIVE_LABEL = "no_relation"
_FIELDS = (
    "id",
    "relation",
    "token",
    "subj_start",
    "subj_end",
    "obj_start",
    "obj_end",
    "subj_type",
    "obj_type",
)
# Penn Treebank escapes TACRED's tokeniser left in the text.
PTB_UNESCAPE = {
    "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}",
    "-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-lcb-": "{", "-rcb-": "}",
    "``": '"', "''": '"',
}  # fmt: skip
PATCH_MODES = ("keep", "drop")


def load_tacred_patch(path: str | Path) -> dict[str, dict[str, Any]]:
    """A TACREV list or an ``{id: label}`` object -> {TACRED id: fields to overwrite}."""
    path = str(path)
    data = read_json_sidecar(path, "TACRED patch")
    if isinstance(data, dict):
        if not all(isinstance(v, str) for v in data.values()):
            raise DataError(f"{path}: an object patch must map TACRED ids to relation labels (strings)")
        return {key: {"relation": label} for key, label in data.items()}
    if isinstance(data, list):
        patch: dict[str, dict[str, Any]] = {}
        for position, entry in enumerate(data):
            require_fields(entry, ("id", "relation"), path, f"patch entry {position}")
            fields = dict(entry)
            patch[str(fields.pop("id"))] = fields
        return patch
    raise DataError(
        f"{path}: a patch must be a JSON object {{id: label}} or a list of {{'id', 'relation'}} objects"
    )


@dataclass(frozen=True)
class PatchReport:
    """What a label patch did to one TACRED split (the loader reports it; result files keep it)."""

    records: int  # records in the TACRED file
    listed: int  # ids the patch lists (all of them found in the file, or the load is refused)
    relabelled: int  # listed records whose relation the patch changed
    unchanged: int  # listed records that already had the patch's relation
    dropped: int  # records the patch does not list, removed (Re-TACRED)
    kept: int  # records the patch does not list, kept as they are (TACREV)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def patch_summary(what: str, report: dict[str, Any]) -> str:
    """One line from a Dataset's ``patch_report``, e.g. ``tacrev/test: 936 patch ids over ..., 0 dropped``.

    A registered patch whose file is not the official one (``official`` False) says so.
    """
    if "summary" in report:  # FS-TACRED's relabelling says itself what it did
        return str(report["summary"])
    line = (
        f"{what}: {report['listed']} patch ids over {report['records']} TACRED records, "
        f"{report['relabelled']} relabelled, {report['unchanged']} unchanged, {report['dropped']} dropped, "
        f"{report['kept']} unlisted kept"
    )
    if report.get("official") is False:
        line += f"; WARNING: {report['patch']} is not the official file ({report['checksum_problem']})"
    return line


def unmatched_patch_error(missing: list[str], listed: int, path: str, patch_path: str) -> DataError:
    """Refusal: the user's TACRED file is not the one the patch was made for."""
    return DataError(
        f"{patch_path}: {len(missing)} of {listed} patched ids are not in {path} (first: {missing[0]!r}); "
        "this is not the TACRED split the patch was made for (wrong split, or not the LDC2018T24 JSON?)"
    )


def apply_patch(
    records: list[Any], patch: dict[str, dict[str, Any]], unlisted: str, path: str, patch_path: str
) -> tuple[list[tuple[int, Any]], PatchReport]:
    """(original index, record) pairs after the patch (unlisted records kept or dropped), and its report."""
    if unlisted not in PATCH_MODES:
        raise DataError(f"{patch_path}: patch_unlisted must be one of {PATCH_MODES}, got {unlisted!r}")
    seen: set[str] = set()
    out: list[tuple[int, Any]] = []
    relabelled = 0
    for index, record in enumerate(records):
        require_fields(record, ("id",), path, f"record {index}")
        fields = patch.get(str(record["id"]))
        if fields is None:
            if unlisted == "keep":
                out.append((index, record))
            continue
        seen.add(str(record["id"]))
        relabelled += record.get("relation") != fields.get("relation", record.get("relation"))
        out.append((index, {**record, **fields}))
    missing = [key for key in patch if key not in seen]
    if missing:
        raise unmatched_patch_error(missing, len(patch), path, patch_path)
    unlisted_count = len(records) - len(seen)
    report = PatchReport(
        records=len(records), listed=len(patch), relabelled=relabelled, unchanged=len(seen) - relabelled,
        dropped=unlisted_count if unlisted == "drop" else 0, kept=unlisted_count if unlisted == "keep" else 0,
    )
    return out, report


def _instance(record: Any, inst_id: str, path: str, where: str) -> RelationInstance:
    require_fields(record, _FIELDS, path, where)
    tokens = require_tokens(record["token"], path, where, "token")
    tokens = tuple(PTB_UNESCAPE.get(tok, tok) for tok in tokens)
    # TACRED spans are inclusive on both ends.
    end_subj = record["subj_end"] + 1 if type(record["subj_end"]) is int else record["subj_end"]
    end_obj = record["obj_end"] + 1 if type(record["obj_end"]) is int else record["obj_end"]
    head = mention_from_span(record["subj_start"], end_subj, len(tokens), path, where, "subj")
    tail = mention_from_span(record["obj_start"], end_obj, len(tokens), path, where, "obj")
    label = record["relation"]
    if not isinstance(label, str):
        raise record_error(path, where, f"relation must be a string, got {label!r}")
    return RelationInstance(
        inst_id,
        tokens,
        (head,),
        (tail,),
        label,
        head_type=str(record["subj_type"]),
        tail_type=str(record["obj_type"]),
    )


def parse_tacred(
    data: Any,
    path: str,
    *,
    name: str,
    split: str,
    sha256: str,
    patch: dict[str, dict[str, Any]] | None = None,
    patch_path: str = "",
    patch_unlisted: str = "keep",
) -> Dataset:
    """Parsed TACRED JSON (a list of records) -> Dataset, with an optional label patch applied."""
    if not isinstance(data, list):
        raise DataError(f"{path}: TACRED JSON must be a list of records")
    report = None
    if patch is not None:
        indexed, report = apply_patch(data, patch, patch_unlisted, path, patch_path)
    else:
        indexed = list(enumerate(data))
    groups: dict[str, list[RelationInstance]] = {}
    types: set[str] = set()
    for index, record in indexed:
        inst = _instance(record, f"{name}/{split}#{index}", path, f"record {index} (id {_record_id(record)})")
        groups.setdefault(inst.label, []).append(inst)
        types.update((inst.head_type or "", inst.tail_type or ""))
    if not groups:
        raise DataError(f"{path}: no records")
    relations = {label: Relation(id=label, name=readable_relation_name(label)) for label in groups}
    dataset = dataset_from_groups(name, split, relations, groups, sha256=sha256, path=path,
                                  negative_label=NEGATIVE_LABEL if NEGATIVE_LABEL in relations else None,
                                  entity_types=sorted(types - {""}))
    dataset.patch_report = report.to_dict() if report is not None else None
    return dataset


def _record_id(record: Any) -> str:
    return repr(record.get("id")) if isinstance(record, dict) else "?"
