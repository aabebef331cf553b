"""``fsre-bench verify``: every result under a directory recomputed from its predictions logs and episode files."""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "verify", help="recompute every result's metrics from its predictions logs and episode files",
        description="Check each result file under --results against its predictions logs (sha256, header, "
                    "counts, every metric and CI recomputed) and, where the dataset is at hand, against its "
                    "episode files rebuilt from their headers. Exit 2 when any file does not match.")
    parser.add_argument("--results", type=Path, default=Path("results"), help="results directory (default results)")
    parser.add_argument("--data-dir", help="data directory for rebuilding episode files "
                                           "(default $FSRE_BENCH_DATA_DIR or ~/.cache/fsre_bench/data)")
    parser.add_argument("--logs-only", action="store_true",
                        help="skip rebuilding episode files (what the leaderboard checks)")
    parser.set_defaults(handler=handle_verify)


def handle_verify(args: argparse.Namespace) -> int:
    from fsre_bench.errors import FsreError
    from fsre_bench.report.collect import find_result_files
    from fsre_bench.results.model import ResultFile
    from fsre_bench.results.verify import check_episodes, check_result

    started = time.perf_counter()
    paths = find_result_files(args.results)
    if (args.results / "studies").is_dir():  # verify checks studies too: they are published results as well
        paths += sorted(p for p in (args.results / "studies").rglob("n*_seeds*.json") if p.is_file())
    rebuilt: dict = {}
    bad, notes = 0, []
    for path in paths:
        try:
            row = ResultFile.load(path)
            records_per_seed = check_result(row)
            if not args.logs_only:
                note = check_episodes(row, records_per_seed, args.data_dir and Path(args.data_dir), rebuilt)
                if note:
                    notes.append(f"{path}: {note}")
        except FsreError as exc:
            bad += 1
            print(f"MISMATCH {str(exc).splitlines()[0]}")
    for note in notes:
        print(f"note: {note}")
    checked = "logs" if args.logs_only else "logs and episode files"
    print(f"{len(paths) - bad} of {len(paths)} result files match their {checked} "
          f"({time.perf_counter() - started:.1f} s)")
    return 2 if bad else 0
