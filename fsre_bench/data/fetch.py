"""Fetch registered datasets (official URL or a mirror) and verify what is on disk.

A download streams into a temp file beside the target, is checked against the registered
checksums, and only then renamed into place: a failed or corrupt fetch leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from fsre_bench.data.builtin import TACRED_LDC_URL
from fsre_bench.data.registry import dataset_groups, dataset_specs, expand_names, get_spec
from fsre_bench.data.spec import DatasetSpec
from fsre_bench.errors import DataError

_CHUNK = 1 << 20
_URL_SCHEMES = ("http://", "https://", "file://")


@dataclass(frozen=True)
class VerifyRow:
    """One registered file's state: ``ok`` | ``missing`` | ``corrupt`` | ``unverified`` (no checksum known)."""

    name: str
    path: str
    status: str
    detail: str
    license: str


def file_digests(path: str | os.PathLike[str]) -> dict[str, str | int]:
    """sha256, md5, git blob sha1 and size of a file, in one pass."""
    size = os.path.getsize(path)
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    git = hashlib.sha1(f"blob {size}\0".encode(), usedforsecurity=False)
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            sha256.update(chunk)
            md5.update(chunk)
            git.update(chunk)
    return {
        "sha256": sha256.hexdigest(),
        "md5": md5.hexdigest(),
        "git_blob_sha1": git.hexdigest(),
        "size": size,
    }


def checksum_problem(spec: DatasetSpec, path: str | os.PathLike[str]) -> str | None:
    """None when the file matches every checksum the spec knows, else what differs."""
    digests = file_digests(path)
    expected = {
        "size": spec.size,
        "sha256": spec.sha256,
        "md5": spec.md5,
        "git_blob_sha1": spec.git_blob_sha1,
    }
    for key, want in expected.items():
        if want is not None and digests[key] != want:
            return f"{key} {digests[key]} != expected {want}"
    return None


def has_checksum(spec: DatasetSpec) -> bool:
    """Whether any checksum is known for the spec (TACRED has none)."""
    return any(v is not None for v in (spec.sha256, spec.md5, spec.git_blob_sha1))


def ldc_note(spec: DatasetSpec, target: Path) -> str:
    """Where a licensed file comes from and exactly where to put it (one line)."""
    if spec.ldc is None:  # a plugin's file with no URL
        return f"{spec.name} has no download URL (registered without one): put the file at {target}"
    return (
        f"{spec.name} is LDC-licensed ({spec.ldc}, {TACRED_LDC_URL}) and cannot be downloaded by fsre-bench: "
        f"get TACRED from the LDC and put its JSON {spec.split} split ({spec.split}.json) at {target}"
    )


def _open_source(spec: DatasetSpec, mirror: str | None, target: Path) -> tuple[BinaryIO, str]:
    """(readable stream, description of where it comes from)."""
    if mirror is None:
        if spec.url is None:
            raise DataError(ldc_note(spec, target))
        url = spec.url
    elif mirror.startswith(_URL_SCHEMES):
        url = mirror.rstrip("/") + "/" + urllib.parse.quote(spec.relpath)
    else:
        folder = Path(mirror).expanduser()
        # Laid out like the data dir, or a flat folder of the official files.
        flat = folder / Path(spec.relpath).name
        source = folder / spec.relpath if (folder / spec.relpath).exists() or not flat.exists() else flat
        try:
            return open(source, "rb"), str(source)
        except OSError as exc:
            if spec.ldc and spec.url is None:
                raise DataError(f"{source} is not in the mirror either: {ldc_note(spec, target)}") from None
            raise DataError(f"cannot fetch {spec.name} from mirror: {source}: {exc.strerror}") from None
    try:
        return urllib.request.urlopen(url, timeout=60), url
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise DataError(
            f"cannot download {spec.name} from {url}: {reason} (no network? try --mirror DIR|URL)"
        ) from None


def _make_parents(folder: Path) -> list[Path]:
    """mkdir -p that returns the folders it created (deepest first), to undo on failure."""
    created = []
    while not folder.exists():
        created.append(folder)
        folder = folder.parent
    for path in reversed(created):
        path.mkdir(exist_ok=True)
    return created


def _copy_verified(spec: DatasetSpec, stream: BinaryIO, origin: str, target: Path) -> None:
    created = _make_parents(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, stream:
            shutil.copyfileobj(stream, out, _CHUNK)
        problem = checksum_problem(spec, tmp)
        if problem is not None:
            raise DataError(
                f"checksum mismatch for {spec.name} from {origin}: {problem}; nothing was written"
            )
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o644 & ~umask)  # mkstemp makes 0600; data files are meant to be shared
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        for folder in created:
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError | http.client.HTTPException):
            raise DataError(f"fetching {spec.name} from {origin} failed: {exc}") from None
        raise


def fetch_spec(spec: DatasetSpec, data_dir: Path, mirror: str | None = None) -> Path:
    """Fetch one registered file unless it is already present and valid; returns its path.

    A derived dataset (TACREV, Re-TACRED) has no file: its patch and base are fetched as its
    ``requires``, and its path is the base's.
    """
    if spec.builder is not None:  # built on load from its ``requires``, which are fetched before it
        return Path(data_dir)
    if spec.derived:
        base = get_spec(spec.base or "")
        if not (Path(data_dir) / base.relpath).is_file():
            raise DataError(ldc_note(base, Path(data_dir) / base.relpath))
        return Path(data_dir) / base.relpath
    target = Path(data_dir) / spec.relpath
    if target.is_file() and (not has_checksum(spec) or checksum_problem(spec, target) is None):
        return target
    if spec.url is None and mirror is None:
        raise DataError(ldc_note(spec, target))
    stream, origin = _open_source(spec, mirror, target)
    _copy_verified(spec, stream, origin, target)
    return target


def fetch_members(name: str, data_dir: Path, mirror: str | None = None) -> Iterator[tuple[str, Path]]:
    """Fetch a dataset (or group) and its sidecars, yielding (member, path) as each is in place.

    A licensed TACRED split fsre-bench cannot download does not stop the public files after it
    (``data fetch tacrev`` still gets the patches): its one-line note is raised at the end.
    """
    licensed: DataError | None = None
    for member in expand_names(name):
        spec = get_spec(member)
        try:
            yield member, fetch_spec(spec, Path(data_dir), mirror)
        except DataError as exc:
            if not (spec.ldc and spec.url is None):
                raise
            licensed = licensed or exc
    if licensed is not None:
        raise licensed


def fetch_dataset(name: str, data_dir: Path, mirror: str | None = None) -> Path:
    """Fetch a registered dataset (or group) and its sidecar files; returns the file (group: folder)."""
    last = Path(data_dir)
    for _, path in fetch_members(name, data_dir, mirror):
        last = path
    return Path(data_dir) / name if name in dataset_groups() else last


def verify_datasets(data_dir: Path) -> list[VerifyRow]:
    """Present / missing / corrupt (hash check) for every registered file under ``data_dir``."""
    rows = []
    for spec in dataset_specs().values():
        if spec.derived:
            rows.append(_derived_row(spec, Path(data_dir)))
            continue
        path = Path(data_dir) / spec.relpath
        if not path.is_file():
            how = ldc_note(spec, path) if spec.url is None else f"fsre-bench data fetch {spec.name}"
            rows.append(VerifyRow(spec.name, str(path), "missing", how, spec.license))
            continue
        if not has_checksum(spec):
            rows.append(VerifyRow(spec.name, str(path), "unverified", "no published checksum", spec.license))
            continue
        problem = checksum_problem(spec, path)
        checked = "sha256" if spec.sha256 else " + ".join(n for n, v in (("md5", spec.md5), ("git blob sha1", spec.git_blob_sha1)) if v)
        if problem is None:
            rows.append(VerifyRow(spec.name, str(path), "ok", f"{checked} match", spec.license))
        else:
            rows.append(VerifyRow(spec.name, str(path), "corrupt", problem, spec.license))
    return rows


def _derived_row(spec: DatasetSpec, data_dir: Path) -> VerifyRow:
    """A derived dataset is as present as its parts (each verified in its own row)."""
    parts = [get_spec(name) for name in spec.requires]
    absent = [part.name for part in parts if not (data_dir / part.relpath).is_file()]
    base = data_dir / get_spec(spec.base).relpath if spec.base else data_dir
    if absent:
        return VerifyRow(spec.name, str(base), "missing", f"needs {', '.join(absent)}", spec.license)
    made = (f"built on load from {' + '.join(part.name for part in reversed(parts))}" if parts
            else f"built on load by {spec.builder}")
    return VerifyRow(spec.name, str(base), "derived", made, spec.license)
