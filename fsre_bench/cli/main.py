"""``fsre-bench``: run, episodes, data, ls (and the report commands). Errors are one line, exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from fsre_bench import __version__
from fsre_bench.errors import FsreError

EXAMPLES = """\
examples:
  # FewRel 1.0 episodes on the embedded defaults (MiniLM encoder), 95% CIs over episodes
  fsre-bench run --methods proto,proto-desc,random --dataset fewrel/val_wiki --settings 5-1,5-5,10-1,10-5 \\
      --episodes 1000 --seeds 0,1,2
  # K-shot relation classification (SemEval, K per label, full test set, seeds 13/21/42/87/100)
  fsre-bench run --protocol kshot --dataset semeval2010 --k 8,16,32 --methods proto
  # FewRel 2.0 NOTA (50% of queries are none-of-the-above), threshold calibrated on training relations
  fsre-bench run --methods proto --dataset fewrel/val_wiki --settings 5-1 --n-query 2 --na-rate 0.5 \\
      --train fewrel/val_semeval
  # the official CodaLab test stream, written once and reused
  fsre-bench episodes build --dataset fewrel/val_wiki --n-way 5 --k-shot 1 --episodes 10000 --seed 12345 \\
      --sampler codalab --out episodes-5-1.jsonl
  fsre-bench run --methods proto --dataset fewrel/val_wiki --episodes-file episodes-5-1.jsonl
  fsre-bench ls methods
  fsre-bench data fetch fewrel/val_wiki --mirror /path/to/mirror
"""


def build_parser() -> argparse.ArgumentParser:
    from fsre_bench.cli import data_cmd, episodes_cmd, ls_cmd, run_cmd

    parser = argparse.ArgumentParser(
        prog="fsre-bench",
        description="Honest benchmarks for few-shot relation extraction.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fsre-bench {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (run_cmd, episodes_cmd, data_cmd, ls_cmd, *_optional_command_modules()):
        module.register(commands)
    return parser


def _optional_command_modules() -> list:
    """Report and TKRE commands register themselves when their modules exist."""
    import importlib

    modules = []
    for name in ("report_cmd", "tkre_cmd", "ablate_cmd"):
        try:
            modules.append(importlib.import_module(f"fsre_bench.cli.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"fsre_bench.cli.{name}":
                raise
    return modules


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except FsreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted: completed episodes are saved; rerun the same command to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
