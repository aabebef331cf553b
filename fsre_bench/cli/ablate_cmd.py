"""``fsre-bench ablate <method>``: the method and every ablation it declares, on identical episodes and seeds.

The runs go through the normal runner (results, resume and caches as for ``run``); the table of
each variant's score and its paired-bootstrap difference to the full method comes from
``fsre_bench.report.ablation`` and is printed and written as markdown next to the results.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from fsre_bench.errors import ConfigError
from fsre_bench.methods.registry import ablation_families

_EPILOG = """\
examples:
  fsre-bench ablate tkre --dataset fewrel/val_wiki --train semeval2010/train --knowledge schema --settings 5-1 \\
      --episodes 1000 --seeds 0
  fsre-bench ablate tkre --protocol kshot --dataset semeval2010 --k 8 --knowledge schema
"""


def register(commands: argparse._SubParsersAction) -> None:
    from fsre_bench.cli.run_cmd import add_run_arguments

    parser = commands.add_parser(
        "ablate", help="run a method and all its ablations on the same episodes and write an ablation table",
        description="Run the full method and each ablation through the runner (same episodes, same seeds), then "
                    "tabulate each variant's score and its paired-bootstrap difference to the full method.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=_EPILOG,
    )
    parser.add_argument("family", choices=sorted(ablation_families()),
                        help="the method whose ablations to run (those that declare ablations)")
    parser.add_argument("--variants", help="comma-separated subset of the ablations (default: all)")
    parser.add_argument("--metric", help="metric of the table (default: the protocol's main metric)")
    add_run_arguments(parser)
    parser.set_defaults(handler=handle)


def variant_names(family: str, subset: str | None) -> list[str]:
    """The reference method first, then the chosen ablations (all by default), in a fixed order."""
    spec = ablation_families()[family]
    reference, ablations = spec.name, tuple(ablation.name for ablation in spec.ablations)
    if not subset:
        return [reference, *ablations]
    chosen = [name.strip() for name in subset.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in (reference, *ablations)]
    if unknown:
        raise ConfigError(f"--variants: {unknown[0]!r} is not an ablation of {family}; known: {', '.join(ablations)}")
    return [reference, *(name for name in ablations if name in chosen)]


def handle(args: argparse.Namespace) -> int:
    from fsre_bench.cli.run_cmd import config_from_args, executor_from_args
    from fsre_bench.cli.tables import print_outcomes
    from fsre_bench.runner import run

    args.methods = ",".join(variant_names(args.family, args.variants))
    args.config = None
    config = config_from_args(args)
    outcomes = run(config, command=["fsre-bench", *sys.argv[1:]] if sys.argv else ["fsre-bench"],
                   **executor_from_args(args))
    print_outcomes(outcomes)
    failed = [o for o in outcomes if o.status == "failed" or o.result_path is None]
    for outcome in failed:
        print(f"error: {outcome.method} {outcome.setting}: {outcome.error or outcome.status}", file=sys.stderr)
    if failed:
        return 2
    by_setting: dict[str, list[Path]] = {}
    for outcome in outcomes:
        by_setting.setdefault(outcome.setting, []).append(Path(outcome.result_path))
    for paths in by_setting.values():
        write_table(paths, args.family, args.metric, config.n_bootstrap, Path(config.output_dir))
    return 0


def write_table(paths: Sequence[Path], reference: str, metric: str | None, n_bootstrap: int, output_dir: Path) -> Path:
    """Build, print and write one setting's ablation table; returns the markdown file's path."""
    from fsre_bench.report.ablation import (
        build_ablation_table,
        print_ablation_table,
        render_ablation_markdown,
    )
    from fsre_bench.report.collect import collect_rows

    table = build_ablation_table(paths, reference=reference, metric=metric, n_bootstrap=n_bootstrap, seed=0,
                                 context=collect_rows(output_dir))
    print_ablation_table(table)
    # results/runs/<dataset>/<protocol>/<setting>/<method>/<file>.json -> one table per dataset/protocol/setting
    setting_dir = paths[0].parent.parent
    dataset, protocol, setting = setting_dir.parent.parent.name, setting_dir.parent.name, setting_dir.name
    target = output_dir / "ablations" / f"{reference}-{dataset}-{protocol}-{setting}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    from fsre_bench.atomic import atomic_write_text

    atomic_write_text(target, render_ablation_markdown(table))
    # Raw and Holm-adjusted p, MDE and shared fitted models per row, next to the markdown.
    atomic_write_text(target.with_suffix(".json"), json.dumps(table.to_dict(), indent=2, sort_keys=True) + "\n")
    print(f"ablation table: {target}")
    return target
