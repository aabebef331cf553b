"""``fsre-bench episodes build|export``: standardized episode files (ids only + header + sha256), and exports of
them with text for systems outside the harness."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from fsre_bench.cli.config_flags import add_config_flags, config_values_from_args
from fsre_bench.runner.config import RunConfig

if TYPE_CHECKING:
    from fsre_bench.types import Dataset


# The RunConfig fields that say which episodes: their flags, help and types are declared there, as for `run`.
# `build` writes one file (one N-K setting, one seed: its own --n-way/--k-shot/--seed), so it takes the rest.
EXPORT_FIELDS = ("dataset", "protocol", "settings", "k_values", "episodes", "seeds", "n_query", "na_rate", "sampler",
                 "episodes_file", "data_dir")
BUILD_FIELDS = ("dataset", "protocol", "episodes", "n_query", "na_rate", "sampler", "data_dir")


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
    # no config under a build: a flag not given holds the field's default (RunConfig's validation is not applied)
    add_config_flags(build, RunConfig, only=BUILD_FIELDS[:2], required=("dataset",), fill_defaults=True)
    build.add_argument("--n-way", type=int, default=5, help="relations per episode (default 5)")
    build.add_argument("--k-shot", type=int, default=1, help="supports per relation (kshot: per label) (default 1)")
    add_config_flags(build, RunConfig, only=BUILD_FIELDS[2:], fill_defaults=True)
    build.add_argument("--seed", type=int, default=0, help="the file's seed (default 0)")
    build.add_argument("--out", required=True, help="output JSONL path")
    build.set_defaults(handler=handle_build)
    _register_export(sub)
    official = sub.add_parser("official", help="FS-TACRED's official test episodes (TACRED ids) -> episode files, "
                              "labelled from your TACRED (fs-tacred/test-5-1, fs-tacred/test-5-5, or one seed's file)")
    official.add_argument("name", help="fs-tacred/test-5-1 | fs-tacred/test-5-5 | fs-tacred/test-5-1-s160290 ...")
    official.add_argument("--data-dir")
    official.add_argument("--out", required=True, type=Path, help="output directory")
    official.set_defaults(handler=handle_official)


def _register_export(sub: argparse._SubParsersAction) -> None:
    export = sub.add_parser(
        "export",
        help="write the episode files a run uses, plus (--with-text) a text file per file for systems outside "
             "the harness and the gold labels apart",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
               "  fsre-bench episodes export --dataset fewrel/val_wiki --settings 5-1 --episodes 1000 --seeds 0,1,2 \\\n"
               "      --out fewrel-5-1 --with-text      # hand out fewrel-5-1/*.text.jsonl, keep the rest\n"
               "  fsre-bench score --episodes-file fewrel-5-1/fewrel_val_wiki-episodic-5-1-s0.episodes.jsonl \\\n"
               "      --predictions answers-s0.jsonl --method-name my-llm --method-type icl\n",
    )
    add_config_flags(export, RunConfig, only=EXPORT_FIELDS, required=("dataset",))  # not given: RunConfig's default
    export.add_argument("--out", required=True, type=Path, help="output directory")
    export.add_argument("--with-text", action="store_true",
                        help="also write <file>.text.jsonl (supports and queries as text with entity offsets, no gold) "
                             "and <file>.gold.jsonl (the labels, kept apart)")
    export.add_argument("--licensed-copy", type=Path,
                        help="licensed data (TACRED): your own copy (its data directory or the file); text is exported only from it")
    export.set_defaults(handler=handle_export)


def handle_export(args: argparse.Namespace) -> int:
    from fsre_bench.external.export import EXPORT_METHOD, export_episodes

    config = RunConfig(methods=[EXPORT_METHOD], **config_values_from_args(args, RunConfig))
    for item in export_episodes(config, args.out, with_text=args.with_text, licensed_copy=args.licensed_copy):
        extra = f"; hand out {item.text.name}, keep {item.gold.name}" if item.text and item.gold else ""
        print(f"{item.setting} seed {item.seed}: {item.episodes} (sha256 {item.sha256[:12]}){extra}")
    print(f"wrote {args.out / 'manifest.json'}")
    return 0


def handle_official(args: argparse.Namespace) -> int:
    from fsre_bench.data import resolve_data_dir
    from fsre_bench.episodes.files import episode_file_sha256
    from fsre_bench.episodes.fs_tacred_official import convert_official

    for path, member in convert_official(args.name, resolve_data_dir(args.data_dir), args.out):
        print(f"{member}: wrote {path} (sha256 {episode_file_sha256(path)[:12]}); run it with "
              f"--dataset fs-tacred/test --protocol natural-nota --episodes-file {path}")
    return 0


def handle_build(args: argparse.Namespace) -> int:
    from fsre_bench.data import load_dataset, resolve_data_dir
    from fsre_bench.episodes import build_episodes, kshot_dataset_names, write_episode_file
    from fsre_bench.episodes.seeding import check_seed
    from fsre_bench.output_paths import check_output_file

    check_seed(args.seed, "--seed")
    check_output_file(args.out, "--out")  # before sampling: a directory or read-only path fails at once
    started = time.perf_counter()
    data_dir = resolve_data_dir(args.data_dir)
    if args.protocol == "kshot":
        train, test = (load_dataset(name, data_dir) for name in kshot_dataset_names(args.dataset))
        stream, header = build_episodes(test, protocol="kshot", seed=args.seed, support_pool=train, k=args.k_shot)
    else:
        return _build_streamed(args, load_dataset(args.dataset, data_dir), started)
    episodes = list(stream)
    sha = write_episode_file(args.out, header, episodes)
    print(f"wrote {len(episodes)} episode(s) to {args.out} in {time.perf_counter() - started:.2f}s; sha256 {sha}")
    return 0


def _build_streamed(args: argparse.Namespace, dataset: Dataset, started: float) -> int:
    """N-way K-shot episodes checked against the machine first, then written one at a time (flat memory)."""
    from fsre_bench.episodes import EpisodeSetting, build_episodes
    from fsre_bench.episodes.stream import write_episode_stream
    from fsre_bench.runner.work_estimate import check_work

    if args.episodes >= 1:  # a count below 1 gets the sampler's own message
        # Only the size matters to the estimate: sampler and NOTA rate left at defaults, whose rules a run
        # checks but a file build does not (a codalab file may carry a NOTA rate).
        check_work(RunConfig(methods=["random"], dataset=args.dataset, protocol=args.protocol,
                             settings=[f"{args.n_way}-{args.k_shot}"], n_query=args.n_query, episodes=args.episodes,
                             seeds=[args.seed], output_dir=str(Path(args.out).parent), device="cpu",
                             n_bootstrap=100).on_this_machine())
    setting = EpisodeSetting(n_way=args.n_way, k_shot=args.k_shot, n_query=args.n_query, na_rate=args.na_rate)
    episodes, header = build_episodes(dataset, protocol=args.protocol, setting=setting, seed=args.seed,
                                      n_episodes=args.episodes, sampler=args.sampler)
    sha = write_episode_stream(Path(args.out), header, episodes)
    print(f"wrote {args.episodes} episode(s) to {args.out} in {time.perf_counter() - started:.2f}s; sha256 {sha}")
    return 0
