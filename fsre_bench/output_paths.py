"""Writing outputs: an OS error becomes one line naming the path (read-only, full disk, file vs directory).

``OSError`` from ``write()`` carries no file name, and the crash handler used to write its own
traceback log next to the failure (a second failure on a full or read-only disk), so every write
the harness makes goes through ``writing(path)`` and output locations are checked before any work.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from fsre_bench.errors import OutputError

# Errors that say the output location cannot take the write, whoever's code hit them: they stop a
# run (every further write would fail the same way) instead of being filed as one method's crash.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOTDIR,
                         errno.EISDIR, errno.EEXIST, errno.EFBIG})


def output_error(path: str | os.PathLike[str], exc: OSError) -> OutputError:
    reason = exc.strerror or str(exc)
    return OutputError(f"cannot write {path}: {reason} [errno {exc.errno}]; nothing already written is lost, "
                       "rerun the same command once the location is writable")


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn an OSError raised while writing ``path`` into a one-line OutputError naming it."""
    try:
        yield
    except OSError as exc:
        raise output_error(path, exc) from None


def check_output_dir(path: str | os.PathLike[str], flag: str) -> None:
    """``path`` is (or can be made) a directory this process can create files in, checked by doing it."""
    path = Path(path)
    existing = next((p for p in (path, *path.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(f"{flag} {path}: {existing} is a file, not a directory")
    created = [p for p in (path, *path.parents) if not p.exists()]
    with writing(path):
        path.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".fsre-write-check-", dir=path)
        os.close(fd)
        os.unlink(probe)
        # A check leaves nothing behind: a run refused later (bad data) must not leave an empty output tree.
        for directory in created:
            directory.rmdir()


def check_output_file(path: str | os.PathLike[str], flag: str) -> None:
    """``path`` names a file (not a directory) whose directory can take it."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{flag} {path}: is a directory; give a file path (e.g. {path / 'episodes.jsonl'})")
    check_output_dir(path.parent if str(path.parent) else Path("."), f"{flag} {path}: its directory")
