"""``fsre-bench data fetch NAME [--mirror DIR_OR_URL]`` and ``fsre-bench data verify``."""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from fsre_bench.errors import DataError


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("data", help="fetch and verify datasets")
    sub = parser.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)
    fetch = sub.add_parser("fetch", help="download (or copy from a mirror) and verify checksums")
    fetch.add_argument("names", nargs="+", help="dataset names (a group such as semeval2010 fetches its splits)")
    fetch.add_argument("--mirror", help="a directory or http(s) base URL laid out like the data dir")
    fetch.add_argument("--data-dir", help="target data directory (default $FSRE_BENCH_DATA_DIR or ~/.cache/fsre_bench/data)")
    fetch.set_defaults(handler=handle_fetch)
    verify = sub.add_parser("verify", help="check which registered datasets are present and intact")
    verify.add_argument("--data-dir")
    verify.set_defaults(handler=handle_verify)


def handle_fetch(args: argparse.Namespace) -> int:
    from fsre_bench.data import fetch_members, get_spec, resolve_data_dir

    data_dir = resolve_data_dir(args.data_dir)
    console = Console()
    failed: DataError | None = None
    for name in args.names:  # one name failing (licensed data, say) does not stop the others
        try:
            for member, path in fetch_members(name, data_dir, mirror=args.mirror):
                spec = get_spec(member)
                made = f" + {spec.patch}, applied on load" if spec.derived and spec.patch else ""
                console.print(f"[green]ok[/] {member} -> {path}{made}", soft_wrap=True)
        except DataError as exc:
            failed = failed or exc
    if failed is not None:
        raise failed
    return 0


def handle_verify(args: argparse.Namespace) -> int:
    from fsre_bench.data import resolve_data_dir, verify_datasets

    data_dir = resolve_data_dir(args.data_dir)
    rows = verify_datasets(data_dir)
    table = Table(title=f"datasets in {data_dir}")
    for column in ("name", "status", "detail", "license"):
        table.add_column(column)
    colours = {"ok": "green", "missing": "yellow", "corrupt": "red", "unverified": "yellow", "derived": "green"}
    for row in rows:
        table.add_row(row.name, f"[{colours.get(row.status, 'white')}]{row.status}[/]", row.detail, row.license)
    Console().print(table)
    return 2 if any(row.status == "corrupt" for row in rows) else 0
