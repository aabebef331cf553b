"""``load_dataset``: a registered name or any file path -> a parsed, validated, cached Dataset."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fsre_bench.bounded_read import read_bounded
from fsre_bench.data.common import parse_json_text
from fsre_bench.data.fetch import checksum_problem, file_digests, ldc_note
from fsre_bench.data.fewrel import load_pid2name, parse_fewrel
from fsre_bench.data.opennre import load_rel2id, parse_opennre
from fsre_bench.data.registry import dataset_groups, dataset_specs, unknown_name_error
from fsre_bench.data.spec import LOADABLE_FORMATS, DatasetSpec
from fsre_bench.data.tacred import load_tacred_patch, parse_tacred
from fsre_bench.errors import ConfigError, DataError
from fsre_bench.types import Dataset

DATA_DIR_ENV = "FSRE_BENCH_DATA_DIR"
_FILE_SUFFIXES = (".json", ".jsonl", ".txt")
_JSONL_SUFFIXES = (".jsonl", ".txt")

# (resolved path, file sha256, options, sidecar sha256s) -> Dataset; several steps load one file.
_CACHE: dict[tuple[Any, ...], Dataset] = {}


def resolve_data_dir(cli_value: str | None) -> Path:
    """``--data-dir``, else ``$FSRE_BENCH_DATA_DIR``, else ``~/.cache/fsre_bench/data``."""
    if cli_value:
        return Path(cli_value).expanduser()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser()
    return Path.home() / ".cache" / "fsre_bench" / "data"


def missing_message(spec: DatasetSpec, path: Path) -> str:
    """One line: what is missing, where it was looked for, how to get it."""
    if spec.url is None:
        return f"dataset {spec.name} not found at {path}: {ldc_note(spec, path)}"
    return (
        f"dataset {spec.name} not found at {path} (data dir {path.parent.parent}; set --data-dir or "
        f"${DATA_DIR_ENV}); fetch it with `fsre-bench data fetch {spec.name}`"
    )


def load_dataset(name_or_path: str, data_dir: Path | None = None, **kw: Any) -> Dataset:
    """A registered name (``fewrel/val_wiki``) or a file path -> Dataset.

    Keyword options: ``name``/``split`` (override the id prefix), ``format`` ("auto" or one of
    LOADABLE_FORMATS), ``pid2name``, ``rel2id`` (sidecar paths), ``patch`` and ``patch_unlisted`` (TACRED).
    """
    data_dir = Path(data_dir) if data_dir is not None else resolve_data_dir(None)
    spec = dataset_specs().get(name_or_path)
    if spec is not None and spec.builder is not None:
        return _built(spec, data_dir)
    if spec is not None and spec.derived:
        return _load_derived(spec, data_dir, **kw)
    if spec is not None:
        if not spec.loadable:
            raise ConfigError(
                f"{spec.name} is a sidecar file ({spec.format}), not a dataset; load a split instead"
            )
        path = data_dir / spec.relpath
        if not path.is_file():
            raise DataError(missing_message(spec, path))
        return load_file(path, data_dir=data_dir, **kw)
    if name_or_path in dataset_groups():
        members = ", ".join(dataset_groups()[name_or_path])
        raise ConfigError(
            f"{name_or_path} is a group ({members}); load one split, or use load_group({name_or_path!r})"
        )
    if _looks_like_path(name_or_path):
        return load_file(Path(name_or_path).expanduser(), data_dir=data_dir, **kw)
    raise unknown_name_error(name_or_path)


def _load_derived(spec: DatasetSpec, data_dir: Path, **kw: Any) -> Dataset:
    """TACREV / Re-TACRED: the user's TACRED split with the registered patch applied on load."""
    base = dataset_specs()[spec.base or ""]
    base_path = data_dir / base.relpath
    if not base_path.is_file():
        raise DataError(f"{spec.name} is built from your TACRED: {missing_message(base, base_path)}")
    if spec.relation_split is not None:
        return _load_fs_tacred(spec, base_path, data_dir, **kw)
    patch_path = None
    if spec.patch is not None:
        patch = dataset_specs()[spec.patch]
        patch_path = data_dir / patch.relpath
        if not patch_path.is_file():
            raise DataError(
                f"{spec.name} needs the patch {spec.patch} at {patch_path}: fetch it with "
                f"`fsre-bench data fetch {spec.name}` (or --mirror DIR holding {patch.relpath})"
            )
    options = {"name": spec.dataset_name, "split": spec.split, "patch": patch_path,
               "patch_unlisted": spec.patch_unlisted, **kw}
    dataset = load_file(base_path, data_dir=data_dir, **options)
    if spec.patch is None or dataset.patch_report is None or "official" in dataset.patch_report:
        return dataset
    # Fetching verified the patch; a file put there by hand may not be it, and a result must say so.
    problem = checksum_problem(dataset_specs()[spec.patch], patch_path)
    dataset.patch_report = {**dataset.patch_report, "patch": spec.patch, "official": problem is None,
                            "checksum_problem": problem, "patch_sha256": file_digests(patch_path)["sha256"]}
    return dataset


def _built(spec: DatasetSpec, data_dir: Path) -> Dataset:
    """A dataset its ``builder`` makes from other registered files (cached like any parsed file)."""
    import importlib

    paths = [data_dir / dataset_specs()[name].relpath for name in spec.requires]
    parts = tuple(str(file_digests(path)["sha256"]) if path.is_file() else "" for path in paths)
    key = ("built", spec.name, str(data_dir.resolve()), parts)
    if key not in _CACHE:
        module, function = (spec.builder or "").split(":")
        _CACHE[key] = getattr(importlib.import_module(module), function)(spec, data_dir)
    return _CACHE[key]


def _load_fs_tacred(spec: DatasetSpec, base_path: Path, data_dir: Path, **kw: Any) -> Dataset:
    """FS-TACRED: the user's TACRED split relabelled by the registered relation split on load."""
    from fsre_bench.data.fs_tacred import load_relation_split, relabel_partition

    split_spec = dataset_specs()[spec.relation_split or ""]
    split_path = data_dir / split_spec.relpath
    if not split_path.is_file():
        raise DataError(f"{spec.name} needs the relation split {split_spec.name} at {split_path}: fetch it with "
                        f"`fsre-bench data fetch {spec.name}` (or --mirror DIR holding {split_spec.relpath})")
    problem = checksum_problem(split_spec, split_path)
    if problem is not None:
        raise DataError(f"{split_path}: not the official FS-TACRED split ({problem})")
    base = load_file(base_path, data_dir=data_dir, **{"name": spec.dataset_name, "split": spec.split, **kw})
    keep = load_relation_split(split_path)[spec.split]
    key = ("fs-tacred", base.source_sha256, spec.split)
    if key not in _CACHE:
        _CACHE[key] = relabel_partition(base, keep, file_digests(split_path)["sha256"])
    return _CACHE[key]


def load_group(name: str, data_dir: Path | None = None, **kw: Any) -> dict[str, Dataset]:
    """A group alias (``semeval2010``, ``tacred``) -> {split: Dataset} for train, dev, test."""
    if name not in dataset_groups():
        raise unknown_name_error(name)
    return {dataset_specs()[member].split: load_dataset(member, data_dir, **kw) for member in dataset_groups()[name]}


def _looks_like_path(text: str) -> bool:
    return text.endswith(_FILE_SUFFIXES) or text.startswith((".", "/", "~")) or os.path.exists(text)


def _read_bytes(path: Path) -> bytes:
    try:
        return read_bounded(path, "dataset")
    except FileNotFoundError:
        raise DataError(f"dataset file {path} does not exist") from None
    except OSError as exc:
        raise DataError(f"cannot read dataset file {path}: {exc.strerror}") from None


def _registered_identity(path: Path, data_dir: Path) -> tuple[str, str] | None:
    """(name, split) when ``path`` is a registered file under ``data_dir`` (so ids match either way)."""
    resolved = path.resolve()
    for spec in dataset_specs().values():
        if spec.loadable and not spec.derived and (data_dir / spec.relpath).resolve() == resolved:
            return spec.dataset_name, spec.split
    return None


def _name_and_split(
    path: Path, data_dir: Path, name: str | None, split: str | None, patch_path: Path | None
) -> tuple[str | None, str]:
    """Registered files keep their registry identity; others are "<format>/<file stem>" (format
    filled in after detection); a patched TACRED file is "<name>+<patch stem>" unless named."""
    registered = _registered_identity(path, data_dir)
    default_name, default_split = registered or (None, path.stem)
    if name is None and patch_path is not None:
        name = f"{default_name or 'tacred'}+{patch_path.stem}"
    return name or default_name, split or default_split


def detect_format(raw: bytes, path: str) -> tuple[str, Any]:
    """(format, parsed JSON or None for JSONL) by extension and content."""
    text = raw.lstrip()
    if not text:
        raise DataError(f"{path}: empty file")
    if path.endswith(_JSONL_SUFFIXES) and text.startswith(b"{"):
        first_line = text.split(b"\n", 1)[0]
        if b'"token"' in first_line:
            return "opennre", None
    try:
        data = parse_json_text(raw, path)
    except DataError:
        first = raw.lstrip().split(b"\n", 1)[0]
        if text.startswith(b"{") and b'"token"' in first:
            return "opennre", None  # JSONL: one object per line
        raise
    return _classify(data, path), data


def _classify(data: Any, path: str) -> str:
    if isinstance(data, list) and data and isinstance(data[0], dict) and "subj_start" in data[0]:
        return "tacred"
    if isinstance(data, dict) and "token" in data and "relation" in data:
        return "opennre"  # a one-line JSONL file
    if isinstance(data, dict):
        first = next(iter(data.values()), None)
        if isinstance(first, list) and (not first or (isinstance(first[0], dict) and "tokens" in first[0])):
            return "fewrel"
    raise DataError(
        f"{path}: unrecognised dataset format (expected FewRel JSON {{relation: [records]}}, "
        "OpenNRE JSONL with 'token', or a TACRED JSON list with 'subj_start')"
    )


def _sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _sidecar(explicit: str | Path | None, candidates: list[Path]) -> Path | None:
    if explicit is not None:
        return Path(explicit)
    return next((c for c in candidates if c.is_file()), None)


def _file_sha(path: Path | None) -> str:
    return _sha(read_bounded(path, "sidecar")) if path is not None and path.is_file() else ""


@dataclass(frozen=True)
class _Request:
    """Everything one parse depends on (its fields, bar ``raw``, make the cache key)."""

    path: Path
    raw: bytes = field(repr=False)
    sha: str
    name: str | None
    split: str
    fmt: str
    pid2name: Path | None
    rel2id: Path | None
    patch: Path | None
    patch_unlisted: str

    def cache_key(self) -> tuple[Any, ...]:
        """Path, content hash, options and sidecar hashes: equal keys parse to equal datasets."""
        sidecars = (_file_sha(self.pid2name), _file_sha(self.rel2id), _file_sha(self.patch))
        return (
            str(self.path.resolve()),
            self.sha,
            self.name,
            self.split,
            self.fmt,
            self.patch_unlisted,
            sidecars,
        )


def load_file(
    path: Path,
    *,
    data_dir: Path,
    name: str | None = None,
    split: str | None = None,
    format: str = "auto",
    pid2name: str | Path | None = None,
    rel2id: str | Path | None = None,
    patch: str | Path | None = None,
    patch_unlisted: str = "keep",
) -> Dataset:
    """Parse one dataset file (format by detection unless given); cached by path + sha256 + options."""
    raw = _read_bytes(path)
    patch_path = Path(patch) if patch is not None else None
    name, split = _name_and_split(path, data_dir, name, split, patch_path)
    request = _Request(
        path=path,
        raw=raw,
        sha=_sha(raw),
        name=name,
        split=split,
        fmt=format,
        pid2name=_sidecar(pid2name, [path.parent / "pid2name.json", data_dir / "fewrel" / "pid2name.json"]),
        rel2id=_sidecar(rel2id, [path.parent / "rel2id.json", path.parent / f"{path.stem}_rel2id.json"]),
        patch=patch_path,
        patch_unlisted=patch_unlisted,
    )
    key = request.cache_key()
    cached = _CACHE.get(key)
    if cached is None:
        cached = _CACHE[key] = _parse(request)
    return cached


def _parse(req: _Request) -> Dataset:
    spath = str(req.path)
    if req.fmt == "auto":
        fmt, data = detect_format(req.raw, spath)
    elif req.fmt in LOADABLE_FORMATS:
        fmt, data = req.fmt, None if req.fmt == "opennre" else parse_json_text(req.raw, spath)
    else:
        raise ConfigError(f"unknown dataset format {req.fmt!r}; use one of auto, {', '.join(LOADABLE_FORMATS)}")
    if req.patch is not None and fmt != "tacred":
        raise ConfigError(f"patch= applies to TACRED files only; {spath} is {fmt}")
    name, split, sha = req.name or fmt, req.split, req.sha
    if fmt == "fewrel":
        table = load_pid2name(req.pid2name) if req.pid2name is not None else None
        return parse_fewrel(data, spath, name=name, split=split, sha256=sha, pid2name=table)
    if fmt == "opennre":
        labels = load_rel2id(req.rel2id) if req.rel2id is not None else None
        return parse_opennre(req.raw, spath, name=name, split=split, sha256=sha, labels=labels)
    if req.patch is None:
        return parse_tacred(data, spath, name=name, split=split, sha256=sha)
    return parse_tacred(
        data,
        spath,
        name=name,
        split=split,
        # A patched dataset is a different dataset: its hash covers the file, the patch and the mode.
        sha256=_sha(f"{sha}:{_file_sha(req.patch)}:{req.patch_unlisted}".encode()),
        patch=load_tacred_patch(req.patch),
        patch_path=str(req.patch),
        patch_unlisted=req.patch_unlisted,
    )


def clear_cache() -> None:
    """Forget every parsed dataset (tests; a long-lived process that rewrote a file)."""
    _CACHE.clear()
