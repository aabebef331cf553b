"""``fsre-bench run``: flags (or a YAML file) -> RunConfig -> runner -> a table of results."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fsre_bench.cli.config_flags import add_config_flags, config_values_from_args, parse_ints
from fsre_bench.cli.method_flags import add_method_flags, method_options_from_args
from fsre_bench.errors import ConfigError
from fsre_bench.runner.config import RunConfig

__all__ = ["add_run_arguments", "config_from_args", "executor_from_args", "parse_ints"]


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="run methods on episodes or K-shot splits and write result files",
        description="Run methods x settings x seeds. Completed work is reused; interrupted work resumes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    parser.add_argument("--config", help="YAML file of run settings (flags given here override it)")
    add_config_flags(parser, RunConfig, only=("methods",))
    add_run_arguments(parser)
    parser.set_defaults(handler=handle)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """What to run on and how, plus every registered method's own options: shared by `run` and `ablate`."""
    add_config_flags(parser, RunConfig, skip=("methods",))  # every RunConfig field is a flag, declared there
    parser.add_argument("--executor", choices=("local", "ray"), default="local",
                        help="local: units run in this process (default); ray: one Ray task per method x setting x seed")
    parser.add_argument("--ray-address", help="--executor ray: the cluster to join (auto = the one `ray start` runs here); "
                                              "default: a private local Ray on this machine")
    add_method_flags(parser)


_EPILOG = """\
examples:
  fsre-bench run --methods proto,proto-desc,random --dataset fewrel/val_wiki --settings 5-1 --episodes 1000 --seeds 0
  fsre-bench run --protocol kshot --dataset semeval2010 --k 8 --methods proto
  fsre-bench run --config runs/fewrel.yaml --limit 20      # a quick look; results marked limited
"""


def config_from_args(args: argparse.Namespace) -> RunConfig:
    given = config_values_from_args(args, RunConfig)
    options = method_options_from_args(args)
    if args.config:
        config = RunConfig.from_yaml(args.config, overrides=given)
        config.method_options = {**config.method_options, **options}
        return config
    if "methods" not in given:
        raise ConfigError("--methods is required (e.g. --methods proto,random), or give --config FILE")
    given.setdefault("dataset", "semeval2010" if given.get("protocol") == "kshot" else "fewrel/val_wiki")
    return RunConfig(**given, method_options=options)


def executor_from_args(args: argparse.Namespace) -> dict[str, Any]:
    if args.ray_address and args.executor != "ray":
        raise ConfigError("--ray-address is for --executor ray; add --executor ray or drop it")
    return {"executor": args.executor, "ray_address": args.ray_address}


def handle(args: argparse.Namespace) -> int:
    from fsre_bench.cli.tables import print_outcomes
    from fsre_bench.runner import run

    config = config_from_args(args)
    outcomes = run(config, command=["fsre-bench", *sys.argv[1:]] if sys.argv else ["fsre-bench"],
                   **executor_from_args(args))
    print_outcomes(outcomes)
    failed = [o for o in outcomes if o.status == "failed"]
    for outcome in failed:
        print(f"error: {outcome.method} {outcome.setting}: {outcome.error}", file=sys.stderr)
    return 2 if failed else 0
