"""``fsre-bench ls methods|datasets``: what can be run, without importing any model code."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Iterable

    from fsre_bench.data.spec import DatasetSpec


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("ls", help="list methods or datasets")
    parser.add_argument("what", choices=("methods", "datasets"))
    parser.add_argument("--data-dir", help="data directory to check for presence (datasets)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    console = Console()
    if args.what == "methods":
        console.print(_methods_table())
        return 0
    table, notes = _datasets_table(args.data_dir)
    console.print(table)
    for line in notes:  # soft_wrap: printed whole, never wrapped or cropped to the terminal
        console.print(line, soft_wrap=True, highlight=False, markup=False)
    return 0


def _methods_table() -> Table:
    from fsre_bench.methods.registry import available_methods

    table = Table(title="methods")
    for column in ("name", "what it is", "implementation"):
        table.add_column(column, no_wrap=column == "name", overflow="fold")
    for name, (target, summary) in sorted(available_methods().items()):
        table.add_row(name, summary, target)
    return table


def _datasets_table(data_dir: str | None) -> tuple[Table, list[str]]:
    """Every registered dataset with its protocols and presence, then where licensed files go.

    Names never wrap or truncate (the column is as wide as the longest name); the places to put
    licensed files are printed as whole lines below the table, so a narrow terminal cannot cut them.
    """
    from fsre_bench.data import dataset_groups, dataset_specs, resolve_data_dir

    root = resolve_data_dir(data_dir)
    table = Table(title=f"datasets (data dir: {root})")
    table.add_column("name", no_wrap=True, min_width=max(len(name) for name in dataset_specs()))
    for column in ("protocols", "present", "license", "what it is"):
        table.add_column(column, overflow="fold")
    for name, spec in sorted(dataset_specs().items()):
        cells = (name, ", ".join(spec.protocols) or "-", _presence(spec, root), spec.license, spec.description)
        table.add_row(*(escape(cell) for cell in cells))  # "[name, description]" is text, not markup
    groups = [f"  {group} = {', '.join(members)}" for group, members in dataset_groups().items()]
    notes = ["groups (for --protocol kshot --dataset GROUP):", *groups, *_licensed_notes(dataset_specs().values(), root)]
    return table, notes


def _presence(spec: DatasetSpec, root: Path) -> str:
    from fsre_bench.data import get_spec

    if not spec.derived:
        return "yes" if (root / spec.relpath).is_file() else "no"
    absent = [name for name in spec.requires if not (root / get_spec(name).relpath).is_file()]
    return "yes (built on load)" if not absent else f"no (needs {', '.join(absent)})"


def _licensed_notes(specs: Iterable[DatasetSpec], root: Path) -> list[str]:
    """The exact place of each licensed file fsre-bench cannot download."""
    licensed = [spec for spec in specs if spec.ldc and not spec.derived]
    if not licensed:
        return []
    lines = [f"licensed data: fsre-bench cannot download these; get them from the LDC ({licensed[0].ldc}) and put:"]
    for spec in licensed:
        state = "present" if (root / spec.relpath).is_file() else "missing"
        lines.append(f"  {spec.name}: your JSON {spec.split} split at {root / spec.relpath} ({state})")
    lines.append("  TACREV / Re-TACRED are built on load from these plus public patches "
                 "(`fsre-bench data fetch tacrev retacred` gets the patches)")
    lines.append("sources and checksums: `fsre-bench data verify`; official URLs are fetched by `fsre-bench data fetch NAME`")
    return lines
