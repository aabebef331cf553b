"""``fsre-bench export``: the results as one table (a row per result x seed) in CSV, JSON or Parquet."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fsre_bench.errors import ConfigError

FORMATS = ("csv", "json", "parquet")

_EPILOG = """\
examples:
  fsre-bench export --results results --format csv > results.csv
  fsre-bench export --results results --format parquet --out results.parquet     # needs pyarrow
  python -c "import fsre_bench; print(fsre_bench.load_results('results').shape)"  # the same table in pandas
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export", help="write every result x seed as one table (csv, json, parquet)",
        description="One row per result file and seed: method, type, backbone, dataset, protocol, setting, seed, "
                    "metrics, CI bounds, ci_method, flags (limited, mixed, dirty, degenerate) and provenance.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--results", type=Path, default=Path("results"),
                        help="results directory (its runs/ subtree, as for the leaderboard) or one result file")
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output; parquet needs a file)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from fsre_bench.report.frame import load_results

    if args.format == "parquet":
        _check_parquet(args.out)
    frame = load_results(args.results)
    target = args.out if args.out is not None else sys.stdout
    if args.format == "csv":
        frame.to_csv(target, index=False)
    elif args.format == "json":
        frame.to_json(target, orient="records", indent=1)
        if args.out is None:
            print()
    else:
        frame.to_parquet(args.out, index=False)
    if args.out is not None:
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    return 0


def _check_parquet(out: Path | None) -> None:
    """Before reading anything: parquet needs pyarrow and a file (it is binary)."""
    if out is None:
        raise ConfigError("--format parquet writes a binary file: give --out FILE.parquet")
    try:
        import pyarrow  # noqa: F401
    except ModuleNotFoundError:
        raise ConfigError("--format parquet needs pyarrow, which is not installed (pip install pyarrow); "
                          "--format csv or json need nothing more") from None
