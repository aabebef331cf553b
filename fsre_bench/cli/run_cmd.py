"""``fsre-bench run``: flags (or a YAML file) -> RunConfig -> runner -> a table of results."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fsre_bench.cli.method_flags import add_method_flags, method_options_from_args
from fsre_bench.errors import ConfigError
from fsre_bench.protocols import PROTOCOLS, SAMPLERS

# Flags that fill RunConfig fields directly (dest == field name); None means "not given".
_LIST_OF_STR = ("methods", "settings")
_LIST_OF_INT = ("k_values", "seeds")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "run",
        help="run methods on episodes or K-shot splits and write result files",
        description="Run methods x settings x seeds. Completed work is reused; interrupted work resumes.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=_EPILOG,
    )
    parser.add_argument("--config", help="YAML file of run settings (flags given here override it)")
    parser.add_argument("--methods", help="comma-separated method names (`fsre-bench ls methods`)")
    add_run_arguments(parser)
    parser.set_defaults(handler=handle)


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    """What to run on and how, plus every registered method's own options: shared by `run` and `ablate`."""
    parser.add_argument("--dataset", help="dataset name (`fsre-bench ls datasets`) or a FewRel/TACRED/OpenNRE file path")
    parser.add_argument("--protocol", choices=PROTOCOLS)
    parser.add_argument("--settings", help="episodic N-K settings, e.g. 5-1,5-5,10-1,10-5 (default 5-1)")
    parser.add_argument("--k", dest="k_values", help="K-shot protocol: shots per label, e.g. 8,16,32")
    parser.add_argument("--episodes", type=int, help="episodes per setting and seed (default 1000)")
    parser.add_argument("--seeds", help="comma-separated seeds (default 0; K-shot: 13,21,42,87,100)")
    parser.add_argument("--n-query", type=int, help="queries per relation (episodic, default 1) or per episode (natural-nota, default 3)")
    parser.add_argument("--na-rate", type=float, help="FewRel 2.0 NOTA: share of NOTA queries, e.g. 0.15 or 0.5")
    parser.add_argument("--sampler", choices=SAMPLERS, help="episode sampler (codalab = official FewRel stream)")
    parser.add_argument("--episodes-file", help="run on the episodes of this file (from `episodes build`)")
    parser.add_argument("--episodes-sha256", help="refuse the --episodes-file unless its sha256 is this")
    parser.add_argument("--train", help="training relations for methods that fit or calibrate (default on a FewRel "
                                        "split: FewRel's own, fewrel/train_wiki or else fewrel/train_offline; "
                                        "cross-domain: semeval2010/train)")
    parser.add_argument("--train-leakage", choices=("refuse", "drop", "allow"),
                        help="--train sentences identical to evaluation sentences: refuse the run (default), drop "
                             "them, or allow them (the result records it)")
    parser.add_argument("--data-dir", help="data directory (default $FSRE_BENCH_DATA_DIR or ~/.cache/fsre_bench/data)")
    parser.add_argument("--output-dir", help="where result files go (default ./fsre-results; the committed leaderboard's are under results/)")
    parser.add_argument("--overwrite", choices=("never", "only-missing", "always"),
                        help="never: skip anything that exists; only-missing (default): reuse complete, resume partial; "
                             "always: recompute")
    parser.add_argument("--limit", type=int, help="evaluate only the first N episodes (NOT for reporting; marked limited)")
    parser.add_argument("--encoder", help="encoder name or path (default: the embedded all-MiniLM-L6-v2)")
    parser.add_argument("--device", help="auto | cpu | cuda | cuda:0 ... (default auto: CUDA when available, else CPU; "
                                         "bf16 autocast on CUDA)")
    parser.add_argument("--batch-size", type=int, help="encoder batch size (default 64 on CPU, by GPU memory on CUDA)")
    parser.add_argument("--n-bootstrap", type=int, help="bootstrap replicates for CIs (default 1000)")
    parser.add_argument("--allow-mixed-provenance", action="store_true", default=None,
                        help="assemble a result from seeds predicted at different harness states (marked mixed)")
    parser.add_argument("--fit-per-setting", action="store_true", default=None,
                        help="train one model per (seed, setting), not one per seed shared by all settings")
    parser.add_argument("--executor", choices=("local", "ray"), default="local",
                        help="local: units run in this process (default); ray: one Ray task per method x setting x seed")
    parser.add_argument("--ray-address", help="--executor ray: the cluster to join (auto = the one `ray start` runs here); "
                                              "default: a private local Ray on this machine")
    parser.add_argument("--max-failure-share", type=float,
                        help="exit 2 when more than this share of queries' LLM requests failed (default 0.2)")
    parser.add_argument("--numerics", choices=("portable", "native"),
                        help="portable (default): CPU kernels capped at AVX2 and one thread, the same bytes on any "
                             "x86-64 machine; native: this CPU's fastest kernels (results may differ elsewhere)")
    add_method_flags(parser)


_EPILOG = """\
examples:
  fsre-bench run --methods proto,proto-desc,random --dataset fewrel/val_wiki --settings 5-1 --episodes 1000 --seeds 0
  fsre-bench run --protocol kshot --dataset semeval2010 --k 8 --methods proto
  fsre-bench run --config runs/fewrel.yaml --limit 20      # a quick look; results marked limited
"""


def config_from_args(args: argparse.Namespace) -> Any:
    from fsre_bench.runner import RunConfig

    given = {key: value for key, value in _run_fields(args).items() if value is not None}
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


def _run_fields(args: argparse.Namespace) -> dict[str, Any]:
    names = ("methods", "dataset", "protocol", "settings", "k_values", "episodes", "seeds", "n_query", "na_rate",
             "sampler", "episodes_file", "episodes_sha256", "train", "train_leakage", "data_dir", "output_dir", "overwrite",
             "limit", "encoder", "device", "batch_size", "n_bootstrap", "allow_mixed_provenance", "max_failure_share",
             "numerics", "fit_per_setting")
    fields = {name: getattr(args, name, None) for name in names}
    for name in _LIST_OF_STR:
        if fields[name] is not None:
            fields[name] = [item.strip() for item in fields[name].split(",") if item.strip()]
    for name in _LIST_OF_INT:
        if fields[name] is not None:
            fields[name] = parse_ints(fields[name], "--k" if name == "k_values" else f"--{name}")
    return fields


def parse_ints(text: str, flag: str) -> list[int]:
    try:
        return [int(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise ConfigError(f"{flag} takes comma-separated integers, got {text!r}") from None


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
