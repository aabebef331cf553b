"""One shared rich progress display per process.

rich allows a single live display at a time, so the runner opens it and methods (encoding,
pre-training, LLM calls) add their own tasks to it through ``progress_task`` instead of starting
a second display. Outside a run (tests, library use) tasks fall back to a private display, or to
nothing when ``enabled`` is False.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

_ACTIVE: Progress | None = None
console = Console(stderr=True)


def _new_progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[info]}"),
        console=console,
        transient=False,
        disable=not sys.stderr.isatty() and not _force_progress(),
    )


def _force_progress() -> bool:
    import os

    return os.environ.get("FSRE_BENCH_PROGRESS") == "1"


@contextlib.contextmanager
def progress_display() -> Iterator[Progress]:
    """The runner's display; nested calls reuse the open one."""
    global _ACTIVE
    if _ACTIVE is not None:
        yield _ACTIVE
        return
    progress = _new_progress()
    _ACTIVE = progress
    try:
        with progress:
            yield progress
    finally:
        _ACTIVE = None


class ProgressTask:
    """A handle methods update: ``advance(n)``, ``set_info("loss 0.42")``; rate shown as units/s."""

    def __init__(self, progress: Progress | None, task_id: Any, unit: str):
        self._progress, self._task_id, self._unit = progress, task_id, unit

    def advance(self, n: float = 1) -> None:
        if self._progress is None:
            return
        self._progress.advance(self._task_id, n)
        task = next((t for t in self._progress.tasks if t.id == self._task_id), None)
        speed = task.speed if task is not None else None
        self._progress.update(self._task_id, rate=f"{speed:,.1f} {self._unit}/s" if speed else "")

    def set_info(self, info: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task_id, info=info)

    def set_total(self, total: float) -> None:
        if self._progress is not None:
            self._progress.update(self._task_id, total=total)


@contextlib.contextmanager
def progress_task(description: str, total: float | None, unit: str = "it", enabled: bool = True) -> Iterator[ProgressTask]:
    """A task on the shared display (or a private one outside a run); removed when done if transient."""
    if not enabled:
        yield ProgressTask(None, None, unit)
        return
    with progress_display() as progress:
        task_id = progress.add_task(description, total=total, rate="", info="")
        try:
            yield ProgressTask(progress, task_id, unit)
        finally:
            progress.update(task_id, visible=True)
