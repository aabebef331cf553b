"""Leaderboard labels keep numerics modes apart: a method in both modes gets a marked native row."""

from __future__ import annotations

from types import SimpleNamespace

from fsre_bench.report.numerics_rows import numerics_row_labels


def _row(label: str, numerics: str, dataset: str = "fewrel/val_wiki", protocol: str = "episodic") -> SimpleNamespace:
    return SimpleNamespace(method_label=label, numerics=numerics, dataset=dataset, protocol=protocol)


def test_only_a_label_seen_in_both_modes_marks_its_native_row() -> None:
    rows = [_row("proto", "portable"), _row("proto", "native"), _row("random", "native"),
            _row("proto", "native", dataset="semeval2010/test", protocol="kshot")]
    labels = numerics_row_labels(rows)
    assert [labels[id(row)] for row in rows] == ["proto", "proto (native numerics)", "random", "proto"]
