"""``fsre-bench power``: how many seeds / episodes / K-shot splits a Δ needs, from the committed variance.

Reads the result files of one task (dataset, setting), splits each result's per-seed variance into
its training part and its episode part (metrics/power.py), and prints, per method, the minimum
detectable Δ at its current seeds and what detecting ``--delta`` points at 80% power would take.
With ``--reference`` the Δ is the paired difference to that method on the same units (exact
variance); without it, an unpaired partner with the same variance (conservative).
"""

from __future__ import annotations

import argparse
import math

from fsre_bench.errors import ConfigError

_EPILOG = """\
examples:
  fsre-bench power --results results --dataset fewrel/val_wiki --setting 5-1 --delta 2
  fsre-bench power --dataset semeval2010/test --setting K=8 --delta 3 --reference finetune
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "power", help="seeds / episodes / splits a given Δ needs at 80%% power, from result files",
        description="Per method on one task: the minimum detectable Δ at its seeds, and the seeds (K-shot: splits) "
                    "and episodes per seed the paired t-test over seeds needs to detect --delta with 80% power.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
    )
    parser.add_argument("--results", default="results", help="results directory (default results)")
    parser.add_argument("--dataset", required=True, help="dataset/split as in the leaderboard, e.g. fewrel/val_wiki")
    parser.add_argument("--setting", required=True, help="setting, e.g. 5-1 or K=8")
    parser.add_argument("--protocol", help="only this protocol (when a dataset has several)")
    parser.add_argument("--delta", type=float, required=True, help="the difference to detect, in points of %%")
    parser.add_argument("--reference", help="pair every method with this one on the same units (label or name)")
    parser.add_argument("--metric", choices=("accuracy", "micro_f1"), help="default: the protocol's primary metric")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if not args.delta > 0 or not math.isfinite(args.delta):
        raise ConfigError(f"--delta must be a positive number of points, got {args.delta}")
    for line in power_lines(args):
        print(line)
    return 0


def power_lines(args: argparse.Namespace) -> list[str]:
    from fsre_bench.report.power_table import power_rows, render_power

    rows = power_rows(args.results, args.dataset, args.setting, args.protocol, args.reference, args.metric,
                      args.delta / 100)
    return render_power(rows, args.delta)
