"""``fsre-bench reproduce RESULT.json [--seed S]``: rerun one unit from its recorded config, compare predictions.

Prints ``identical`` (exit 0) or where the rerun's predictions log first differs from the recorded one (exit 1).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "reproduce",
        help="rerun one seed of a result from its recorded config and compare its predictions log's sha256",
        description="Rerun one seed of a result (its method, setting, config and numerics mode) from scratch and "
                    "compare the predictions log with the recorded one: 'identical', or the first differing "
                    "episode (exit 1). Results without a numerics mode predate it and are rerun native.",
    )
    parser.add_argument("result", help="a result file (results/runs/.../n1000_seeds0-1-2_<key>.json)")
    parser.add_argument("--seed", type=int, help="which seed to rerun (default: the result's first)")
    parser.add_argument("--output-dir", help="where the rerun's files go (default: a new temporary directory)")
    parser.add_argument("--reuse-cache", action="store_true",
                        help="reuse this machine's cache (embeddings, trained models) instead of starting empty: "
                             "faster, but a cached model is then read back rather than trained again")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from fsre_bench.runner.reproduce import reproduce

    started = time.perf_counter()
    verdict = reproduce(Path(args.result), args.seed, Path(args.output_dir) if args.output_dir else None,
                        reuse_cache=args.reuse_cache)
    for note in verdict.notes:
        print(f"note: {note}")
    took = f"seed {verdict.seed}, {verdict.numerics} numerics, {time.perf_counter() - started:.0f} s"
    if verdict.error:
        print(f"not reproduced ({took}): {verdict.error}")
        return 1
    if verdict.identical:
        print(f"identical ({took}): predictions sha256 {verdict.rerun_sha256}")
        return 0
    print(f"different ({took}): recorded sha256 {verdict.recorded_sha256}, rerun {verdict.rerun_sha256} "
          f"({verdict.rerun_log}); first difference: {verdict.first_difference}")
    return 1
