"""``fsre-bench``: run, episodes, score, data, ls (and the report commands). Errors are one line, exit 2."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from fsre_bench import __version__
from fsre_bench.errors import ConfigError, FsreError

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
  # FewRel 2.0 domain adaptation: FewRel's training relations (the default), PubMed evaluation, 15% NOTA
  fsre-bench run --methods proto,proto-desc --dataset fewrel/val_pubmed --settings 5-1 \\
      --na-rate 0.15 --episodes 1000
  # TACREV K-shot (your LDC TACRED under <data dir>/tacred/, the patches from `data fetch tacrev`)
  fsre-bench run --protocol kshot --dataset tacrev --k 8,16,32 --methods proto
  # the official CodaLab test stream, written once and reused
  fsre-bench episodes build --dataset fewrel/val_wiki --n-way 5 --k-shot 1 --episodes 10000 --seed 12345 \\
      --sampler codalab --out episodes-5-1.jsonl
  fsre-bench run --methods proto --dataset fewrel/val_wiki --episodes-file episodes-5-1.jsonl
  # a system outside the harness: export episodes with text, answer them anywhere, score the answers
  fsre-bench episodes export --dataset fewrel/val_wiki --settings 5-1 --episodes 1000 --seeds 0 --out export --with-text
  fsre-bench score --episodes-file export/fewrel_val_wiki-episodic-5-1-s0.episodes.jsonl --predictions answers.jsonl \\
      --method-name my-system --method-type icl
  fsre-bench ls methods
  fsre-bench data fetch fewrel/val_wiki --mirror /path/to/mirror
"""


COMMAND_ENTRY_POINT_GROUP = "fsre_bench.commands"


class OneLineErrorParser(argparse.ArgumentParser):
    """A usage error is the one line that names the flag and its choices, not 30 lines of usage first."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    from fsre_bench.cli import (
        ablate_cmd,
        data_cmd,
        episodes_cmd,
        export_cmd,
        ls_cmd,
        power_cmd,
        report_cmd,
        reproduce_cmd,
        run_cmd,
        score_cmd,
        verify_cmd,
    )

    parser = OneLineErrorParser(
        prog="fsre-bench",
        description="Honest benchmarks for few-shot relation extraction.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fsre-bench {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (run_cmd, episodes_cmd, score_cmd, data_cmd, ls_cmd, report_cmd, ablate_cmd, export_cmd, verify_cmd,
                   reproduce_cmd, power_cmd):
        module.register(commands)
    for register in _plugin_commands():
        register(commands)
    return parser


def _plugin_commands() -> list:
    """``register(commands)`` functions that method packages add as ``fsre_bench.commands`` entry points
    (``fsre-bench tkre`` is TKRE's)."""
    from importlib.metadata import entry_points

    registers = []
    for ep in sorted(entry_points(group=COMMAND_ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            registers.append(ep.load())
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"command entry point {ep.name} = {ep.value!r} does not load ({exc})") from None
    return registers


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()  # a broken method registration is a one-line error too
    except FsreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
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
