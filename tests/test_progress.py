"""Progress: one shared display per run, tasks that count and report a rate, and a no-op handle when disabled."""

from __future__ import annotations

from fsre_bench import progress as progress_module
from fsre_bench.progress import ProgressTask, progress_display, progress_task


def test_nested_displays_reuse_the_open_one_and_it_closes_after() -> None:
    with progress_display() as outer, progress_display() as inner:
        assert inner is outer and progress_module._ACTIVE is outer
    assert progress_module._ACTIVE is None


def test_a_task_counts_its_units_and_takes_info_and_a_new_total() -> None:
    with progress_display() as display, progress_task("episodes 5-1 seed 0", total=10, unit="ep") as task:
        task.advance(3)
        task.advance()
        task.set_info("loss 0.42")
        task.set_total(20)
        (shown,) = display.tasks
        assert (shown.description, shown.completed, shown.total) == ("episodes 5-1 seed 0", 4, 20)
        assert shown.fields["info"] == "loss 0.42"
        assert shown.fields["rate"] == "" or shown.fields["rate"].endswith(" ep/s")


def test_a_disabled_task_is_a_handle_that_does_nothing() -> None:
    with progress_task("x", total=5, enabled=False) as task:
        assert isinstance(task, ProgressTask)
        task.advance(2)
        task.set_info("ignored")
        task.set_total(9)
    assert progress_module._ACTIVE is None  # no display was opened
