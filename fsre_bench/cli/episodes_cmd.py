"""``fsre-bench episodes build ...``: write a standardized episode file (ids only + header + sha256)."""

from __future__ import annotations

import argparse
import time

from fsre_bench.protocols import PROTOCOLS, SAMPLERS


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("episodes", help="build episode files")
    sub = parser.add_subparsers(dest="episodes_command", metavar="SUBCOMMAND", required=True)
    build = sub.add_parser(
        "build",
        help="sample episodes (or a K-shot split) and write them as a JSONL file of instance ids",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  fsre-bench episodes build --dataset fewrel/val_wiki --n-way 5 --k-shot 1 --episodes 10000 \\\n"
               "      --seed 12345 --sampler codalab --out codalab-5-1.jsonl\n"
               "  fsre-bench episodes build --protocol kshot --dataset semeval2010 --k-shot 8 --seed 13 --out k8-s13.jsonl\n",
    )
    build.add_argument("--dataset", required=True, help="dataset name or file path (kshot: a group, e.g. semeval2010)")
    build.add_argument("--protocol", default="episodic", choices=PROTOCOLS)
    build.add_argument("--n-way", type=int, default=5)
    build.add_argument("--k-shot", type=int, default=1)
    build.add_argument("--n-query", type=int, help="queries per relation (episodic) / per episode (codalab, natural-nota)")
    build.add_argument("--na-rate", type=float, default=0.0, help="share of NOTA queries (FewRel 2.0: 0.15, 0.5)")
    build.add_argument("--episodes", type=int, default=1000)
    build.add_argument("--seed", type=int, default=0)
    build.add_argument("--sampler", default="default", choices=SAMPLERS)
    build.add_argument("--data-dir")
    build.add_argument("--out", required=True, help="output JSONL path")
    build.set_defaults(handler=handle_build)


def handle_build(args: argparse.Namespace) -> int:
    from fsre_bench.data import load_dataset, resolve_data_dir
    from fsre_bench.episodes import EpisodeSetting, build_episode_set, kshot_dataset_names, write_episode_file
    from fsre_bench.output_paths import check_output_file

    check_output_file(args.out, "--out")  # before sampling: a directory or read-only path fails at once
    started = time.perf_counter()
    data_dir = resolve_data_dir(args.data_dir)
    if args.protocol == "kshot":
        train, test = (load_dataset(name, data_dir) for name in kshot_dataset_names(args.dataset))
        episodes, header = build_episode_set(test, protocol="kshot", seed=args.seed, support_pool=train, k=args.k_shot)
    else:
        setting = EpisodeSetting(n_way=args.n_way, k_shot=args.k_shot, n_query=args.n_query, na_rate=args.na_rate)
        episodes, header = build_episode_set(load_dataset(args.dataset, data_dir), protocol=args.protocol, seed=args.seed,
                                             setting=setting, n_episodes=args.episodes, sampler=args.sampler)
    sha = write_episode_file(args.out, header, episodes)
    print(f"wrote {len(episodes)} episode(s) to {args.out} in {time.perf_counter() - started:.2f}s; sha256 {sha}")
    return 0
