"""Every file the harness reads goes through ``read_bounded``: a regular file, at most a size limit per kind.

Why: ``Path.read_bytes`` on ``/dev/zero`` grows until the machine is gone, on a FIFO it blocks for
ever, and on a multi-GB file it takes memory for the whole file (and several times that once
parsed). A refusal is one line naming the file and the limit (exit 2 through ``FsreError``).

The limits are generous (the largest shipped dataset, TACRED's train split, is about 90 MB) and
each can be raised with an environment variable, ``FSRE_BENCH_MAX_<KIND>_MB``, e.g.
``FSRE_BENCH_MAX_DATASET_MB=4096``.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from fsre_bench.errors import ConfigError, DataError

MB = 1024 * 1024

# kind -> (default limit in MB, what the file is called in messages)
LIMITS_MB: dict[str, tuple[int, str]] = {
    "dataset": (1024, "dataset"),
    "config": (16, "config"),
    "episodes": (1024, "episode"),
    "predictions": (1024, "predictions"),  # external predictions submitted to `fsre-bench score`
    "result": (64, "result"),
    "log": (1024, "predictions log"),  # a run's own per-episode log, read by reports and verify
    "sidecar": (64, "side"),  # rel2id, pid2name, a TACRED patch, the literature table
}


def limit_bytes(kind: str) -> int:
    """The size limit for ``kind``: its default, or ``FSRE_BENCH_MAX_<KIND>_MB`` when set."""
    default_mb, _ = LIMITS_MB[kind]
    variable = limit_variable(kind)
    text = os.environ.get(variable)
    if text is None or not text.strip():
        return default_mb * MB
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{variable}={text!r} is not a number of megabytes") from None
    if not value > 0:
        raise ConfigError(f"{variable}={text!r} must be a positive number of megabytes")
    return int(value * MB)


def limit_variable(kind: str) -> str:
    return f"FSRE_BENCH_MAX_{kind.upper()}_MB"


def _error(kind: str, message: str) -> Exception:
    return ConfigError(message) if kind == "config" else DataError(message)


def _limit_text(limit: int) -> str:
    return f"{limit / MB:g} MB" if limit >= MB else f"{limit:,} byte"


def _size_text(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{size:,} bytes"


def read_bounded(path: str | os.PathLike[str], kind: str) -> bytes:
    """The bytes of ``path``, refused (one-line FsreError) unless a regular file within ``kind``'s limit.

    OSError (missing file, no permission) propagates, so each caller keeps its own message for it.
    """
    limit = limit_bytes(kind)
    what = LIMITS_MB[kind][1]
    # O_NONBLOCK: opening a FIFO for reading must not wait for a writer; fstat on the open descriptor
    # (not a stat before open) so the file checked is the file read.
    fd = os.open(os.fspath(path), os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        _check_stat(path, os.fstat(fd), kind, limit)
        os.set_blocking(fd, True)
        data = _read_at_most(handle, limit + 1)
    if len(data) > limit:  # a file that grew after fstat, or one whose size the kernel does not report
        raise _error(kind, f"{path}: more than the {_limit_text(limit)} limit for {_a(what)} file "
                           f"(set {limit_variable(kind)} to raise it)")
    return data


def read_bounded_text(path: str | os.PathLike[str], kind: str) -> str:
    """``read_bounded`` decoded as UTF-8 (UnicodeDecodeError propagates, as from ``Path.read_text``)."""
    return read_bounded(path, kind).decode("utf-8")


def _read_at_most(handle, size: int) -> bytes:
    chunks, left = [], size
    while left > 0:
        chunk = handle.read(min(left, 16 * MB))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def check_regular_file(path: str | os.PathLike[str], kind: str) -> None:
    """For a file read as a stream (line by line): a regular file within ``kind``'s limit, else one line."""
    _check_stat(path, Path(path).stat(), kind, limit_bytes(kind))


def _check_stat(path: str | os.PathLike[str], info: os.stat_result, kind: str, limit: int) -> None:
    what = LIMITS_MB[kind][1]
    if not stat.S_ISREG(info.st_mode):
        raise _error(kind, f"{path}: not a regular file ({_file_type(info.st_mode)}); {_a(what)} file must be a plain file")
    if info.st_size > limit:
        raise _error(kind, f"{path}: {_size_text(info.st_size)}, over the {_limit_text(limit)} limit for "
                           f"{_a(what)} file (set {limit_variable(kind)} to raise it)")


def _a(what: str) -> str:
    return f"an {what}" if what[0] in "aeiou" else f"a {what}"


def _file_type(mode: int) -> str:
    for test, name in ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a plain file"
