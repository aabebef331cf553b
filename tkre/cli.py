"""``fsre-bench tkre knowledge``: build TKRE knowledge artifacts (EDKG, SCDG) and show what they hold.

Registered as an ``fsre_bench.commands`` entry point (pyproject.toml), so the harness never imports TKRE.
"""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from fsre_bench.errors import ConfigError, DataError

KINDS = ("explanations", "synthetic")
EXAMPLES = """\
examples:
  fsre-bench tkre knowledge --build --dataset fewrel/val_semeval --knowledge schema
  fsre-bench tkre knowledge --build --dataset semeval2010/train --knowledge llm --per-relation 4 \\
      --relations "Cause-Effect(e1,e2)" "Entity-Origin(e1,e2)" --llm local
  fsre-bench tkre knowledge --show                 # every artifact, with counts and rejection shares
  fsre-bench tkre knowledge --show 7125ff --relation P177 --n 3
  fsre-bench tkre knowledge --import ./released --dataset semeval2010/train   # then: --knowledge import:./released
"""


def register(commands: argparse._SubParsersAction) -> None:
    from fsre_bench.llm import add_llm_arguments

    parser = commands.add_parser("tkre", help="TKRE tools (knowledge generation)")
    sub = parser.add_subparsers(dest="tkre_command", metavar="SUBCOMMAND", required=True)
    know = sub.add_parser("knowledge", help="build or show LLM / schema knowledge artifacts",
                          epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    action = know.add_mutually_exclusive_group(required=True)
    action.add_argument("--show", nargs="?", const="", metavar="KEY_PREFIX",
                        help="list artifacts; with a key prefix, print that artifact's examples")
    action.add_argument("--build", action="store_true", help="generate (or reuse) artifacts for --dataset")
    action.add_argument("--import", dest="import_dir", metavar="DIR",
                        help="validate and convert knowledge made elsewhere (explanations.json / synthetic.jsonl, the "
                             "reference release's formats) for --dataset's training relations; prints what was dropped "
                             "and why, and the source to pass as --knowledge import:DIR")
    know.add_argument("--relation", help="--show: only examples of this relation (id or name)")
    know.add_argument("--n", type=int, default=5, help="--show: examples to print (default 5)")
    know.add_argument("--dataset", help="--build: dataset name or file")
    know.add_argument("--data-dir", help="data directory (default $FSRE_BENCH_DATA_DIR)")
    know.add_argument("--knowledge", choices=("llm", "schema"), default="llm",
                      help="llm: ask the LLM (default); schema: offline templates and entity substitution")
    know.add_argument("--kind", choices=(*KINDS, "both"), default="both", help="which artifacts to build")
    know.add_argument("--relations", nargs="+", metavar="ID",
                      help="--build: relation ids (default: all but the negative label)")
    know.add_argument("--per-relation", type=int, default=None,
                      help="explanations (default 6) and synthetic samples (default 8) per relation")
    know.add_argument("--demonstrations", type=int, default=8, help="real demonstrations per SCDG prompt")
    know.add_argument("--max-rounds", type=int, default=3, help="SCDG requests per relation at most")
    know.add_argument("--seed", type=int, default=0)
    add_llm_arguments(know)
    know.set_defaults(handler=handle_knowledge)


def handle_knowledge(args: argparse.Namespace) -> int:
    if args.build:
        return build(args)
    if args.import_dir is not None:
        from tkre.knowledge.import_command import run_import

        if not args.dataset:
            raise ConfigError("--import needs --dataset (the training split, e.g. --dataset semeval2010/train)")
        per_relation = args.per_relation
        if per_relation is not None and per_relation < 1:
            raise ConfigError(f"--per-relation {per_relation} must be >= 1")
        return run_import(args.import_dir, args.dataset, args.data_dir, per_relation or 6, per_relation or 8)
    if args.show:
        return show_one(args.show, args.relation, args.n)
    return show_all()


def _selected_relations(dataset: Any, wanted: list[str] | None) -> list[str]:
    available = dataset.positive_relations
    if not wanted:
        return available
    chosen = list(dict.fromkeys(wanted))
    for name in chosen:
        if name not in dataset.relations:
            close = difflib.get_close_matches(name, list(dataset.relations), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else f"; it has: {', '.join(available[:10])}"
            raise ConfigError(f"--relations: {dataset.name}/{dataset.split} has no relation {name!r}{hint}")
    return chosen


def build(args: argparse.Namespace) -> int:
    from fsre_bench.data import load_dataset, resolve_data_dir
    from fsre_bench.llm.config import llm_config_from_args, llm_flags_given
    from tkre.knowledge import generate_explanations, generate_synthetic

    if not args.dataset:
        raise ConfigError("--build needs --dataset (e.g. --dataset fewrel/val_wiki)")
    if args.knowledge == "schema" and llm_flags_given(args):
        raise ConfigError("--llm* flags are only used with --knowledge llm; drop them or use --knowledge llm")
    if args.per_relation is not None and args.per_relation < 1:
        raise ConfigError(f"--per-relation {args.per_relation} must be >= 1")
    dataset = load_dataset(args.dataset, resolve_data_dir(args.data_dir))
    relations = _selected_relations(dataset, args.relations)
    instances = [inst for rel in relations for inst in dataset.instances.get(rel, ())]
    if not instances:
        raise DataError(f"{args.dataset}: the selected relations have no instances")
    llm = llm_config_from_args(args) if args.knowledge == "llm" else None
    name = f"{dataset.name}/{dataset.split}"
    common = {"source": args.knowledge, "llm": llm, "dataset": name, "seed": args.seed}
    built = []
    try:
        if args.kind in ("explanations", "both"):
            built.append(generate_explanations(instances, dataset.relations, per_relation=args.per_relation or 6, **common))
        if args.kind in ("synthetic", "both"):
            built.append(generate_synthetic(
                instances, dataset.relations, entity_types=dataset.entity_types, per_relation=args.per_relation or 8,
                demonstrations=args.demonstrations, max_rounds=args.max_rounds, **common,
            ))
    finally:
        if llm is not None:
            from fsre_bench.llm import stop_managed_servers

            stop_managed_servers()
    from tkre.knowledge.show import print_built

    print_built(built)
    return 0


def show_all() -> int:
    from tkre.knowledge.show import print_listing

    print_listing()
    return 0


def show_one(prefix: str, relation: str | None, n: int) -> int:
    from tkre.knowledge.show import print_artifact

    if n < 0:
        raise ConfigError(f"--n {n} must be >= 0")
    print_artifact(prefix, relation, n)
    return 0
