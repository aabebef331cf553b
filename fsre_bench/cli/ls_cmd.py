"""``fsre-bench ls methods|datasets``: what can be run, without importing any model code."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("ls", help="list methods or datasets")
    parser.add_argument("what", choices=("methods", "datasets"))
    parser.add_argument("--data-dir", help="data directory to check for presence (datasets)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    console = Console()
    console.print(_methods_table() if args.what == "methods" else _datasets_table(args.data_dir))
    return 0


def _methods_table() -> Table:
    from fsre_bench.methods.registry import available_methods

    table = Table(title="methods")
    for column in ("name", "what it is", "implementation"):
        table.add_column(column, no_wrap=column == "name", overflow="fold")
    for name, (target, summary) in sorted(available_methods().items()):
        table.add_row(name, summary, target)
    return table


def _datasets_table(data_dir: str | None) -> Table:
    from fsre_bench.data import REGISTRY, resolve_data_dir

    root = resolve_data_dir(data_dir)
    table = Table(title=f"datasets (data dir: {root})")
    # Names never wrap or truncate, on any terminal width: the description gives way.
    for column in ("name", "present", "license", "source", "description"):
        table.add_column(column, no_wrap=column in ("name", "present"), overflow="fold")
    for name, spec in sorted(REGISTRY.items()):
        present = "yes" if (root / spec.relpath).exists() else "no"
        source = spec.url or (f"LDC {spec.ldc} (licensed)" if spec.ldc else "-")
        table.add_row(name, present, spec.license, source, spec.description)
    return table
