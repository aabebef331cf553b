"""``fsre-bench leaderboard``, ``report ablation`` and ``plot``: they only read result files (HELM's way).

Imports of report code happen inside the handlers so ``fsre-bench --help`` stays light (no
matplotlib, no torch).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from fsre_bench.errors import ConfigError, DataError

if TYPE_CHECKING:  # the report modules load only when a report command runs
    from fsre_bench.report.ablation import AblationTable
    from fsre_bench.results import ResultFile

PLOT_KINDS = ("accuracy-vs-k", "ablation", "per-relation", "llm-cost", "all")

LEADERBOARD_EXAMPLES = """\
examples:
  fsre-bench leaderboard                                   # results/runs -> results/LEADERBOARD.md
  fsre-bench leaderboard --readme docs/results.md          # also that file's region between the marker lines
  fsre-bench leaderboard --results results/studies/proto-representation --out /tmp/study.md
  fsre-bench leaderboard --site site/                      # a static site instead (any static host serves it)
"""

REPORT_EXAMPLES = """\
examples:
  fsre-bench report ablation --dataset semeval2010/test --setting K=8 --reference tkre
  fsre-bench report ablation --results results/studies/proto-representation --dataset fewrel/val_wiki \\
      --setting 5-1 --reference "proto [representation=entity-pool]" --out ablation.md
"""

COMPARE_EXAMPLES = """\
examples:
  fsre-bench report compare --dataset semeval2010/test --settings K=8,K=16,K=32 \\
      --pairs finetune:tkre,finetune-synth:tkre,proto-ft:tkre --out compare.md --json compare.json
"""

PLOT_EXAMPLES = """\
examples:
  fsre-bench plot all                                      # accuracy vs K and LLM cost -> results/plots/
  fsre-bench plot ablation --dataset fewrel/val_wiki --setting 5-1 --reference tkre
  fsre-bench plot per-relation --run results/runs/fewrel_val_wiki/episodic/5-1/proto/n1000_seeds0-1-2_....json
"""


def register(commands: argparse._SubParsersAction) -> None:
    _register_leaderboard(commands)
    _register_report(commands)
    _register_plot(commands)


def _register_leaderboard(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "leaderboard", help="regenerate the leaderboard markdown from result files",
        epilog=LEADERBOARD_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="One table per protocol and dataset, written between the leaderboard markers; "
                    "regenerating from the same result files gives the same bytes.",
    )
    parser.add_argument("--results", type=Path, default=Path("results"),
                        help="results directory; its runs/ subtree is read (default results)")
    parser.add_argument("--out", type=Path, help="markdown file (default <results>/LEADERBOARD.md)")
    parser.add_argument("--readme", type=Path, help="also regenerate this file's marked region (it must have the markers)")
    parser.add_argument("--plots-dir", type=Path, help="PNGs to link (default <results>/plots)")
    parser.add_argument("--site", type=Path, metavar="DIR",
                        help="write a static site (sortable, filterable tables and a page per result) to DIR "
                             "instead of the markdown (give --out too for both)")
    parser.add_argument("--include-limited", action="store_true",
                        help="show --limit runs, marked (default: left out, counted in the footer)")
    parser.add_argument("--no-literature", action="store_true", help="leave out the published-numbers tables")
    parser.add_argument("--trust-results", action="store_true",
                        help="publish result files without checking them against their predictions logs")
    parser.set_defaults(handler=handle_leaderboard)


def _register_report(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("report", help="tables from result files (ablation)")
    sub = parser.add_subparsers(dest="report_command", metavar="SUBCOMMAND", required=True)
    ablation = sub.add_parser(
        "ablation", help="variant, score ± CI, Δ vs the full method with a paired-bootstrap CI and p-value",
        epilog=REPORT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_ablation_arguments(ablation)
    ablation.add_argument("--out", type=Path, help="also write the markdown table here (between ablation markers)")
    ablation.add_argument("--json", type=Path, help="also write the table as JSON (raw and Holm-adjusted p per row)")
    ablation.set_defaults(handler=handle_report_ablation)
    compare = sub.add_parser(
        "compare", help="method-vs-controls block: paired Δ = B − A per pair and setting, Holm-adjusted together",
        epilog=COMPARE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    compare.add_argument("--results", type=Path, default=Path("results"), help="results directory (default results)")
    compare.add_argument("--dataset", required=True, help="dataset/split, e.g. semeval2010/test")
    compare.add_argument("--settings", required=True, help="comma-separated settings, e.g. K=8,K=16,K=32")
    compare.add_argument("--pairs", required=True, help="comma-separated A:B pairs (Δ = B − A), e.g. finetune:tkre")
    compare.add_argument("--n-bootstrap", type=int, default=10000, help="bootstrap replicates for frozen pairs")
    compare.add_argument("--out", type=Path, help="write the markdown block here")
    compare.add_argument("--json", type=Path, help="write the block as JSON (raw and Holm-adjusted p per test)")
    compare.set_defaults(handler=handle_report_compare)


def _add_ablation_arguments(parser: argparse.ArgumentParser, required: bool = True) -> None:
    parser.add_argument("--results", type=Path, default=Path("results"), help="results directory (default results)")
    parser.add_argument("--dataset", required=required, help="dataset/split as in the leaderboard, e.g. fewrel/val_wiki")
    parser.add_argument("--setting", required=required, help="setting column, e.g. 5-1 or K=8")
    parser.add_argument("--protocol", help="only this protocol (when a dataset has several)")
    parser.add_argument("--methods", help="comma-separated variants to include (default: the reference and its -no-* ablations)")
    parser.add_argument("--reference", default="tkre", help="the full method (label or name; default tkre)")
    parser.add_argument("--metric", choices=("accuracy", "micro_f1"), help="default: the protocol's primary metric")
    parser.add_argument("--n-bootstrap", type=int, default=10000,
                        help="bootstrap replicates (default 10000: two printed decimals stay stable)")
    parser.add_argument("--bootstrap-seed", type=int, default=0)


def _register_plot(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "plot", help="PNG plots from result files (needs the plots extra: matplotlib)",
        epilog=PLOT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", choices=PLOT_KINDS, help="accuracy-vs-k, llm-cost and all read every run (all: also "
                        "each task's ablation plot); ablation needs --dataset/--setting; per-relation needs --run")
    _add_ablation_arguments(parser, required=False)
    parser.add_argument("--run", type=Path, help="per-relation: the result file to plot")
    parser.add_argument("--out-dir", type=Path, help="where PNGs go (default <results>/plots)")
    parser.set_defaults(handler=handle_plot)


def handle_leaderboard(args: argparse.Namespace) -> int:
    from fsre_bench.report.leaderboard import write_leaderboard
    from fsre_bench.report.literature import load_literature

    if not args.trust_results:
        refuse_unverified(args.results)
    literature = [] if args.no_literature else load_literature()
    if args.site is not None:
        _write_site(args, literature)
        if args.out is None and args.readme is None:
            return 0
    out = args.out or args.results / "LEADERBOARD.md"
    changed = write_leaderboard(args.results, out, readme=args.readme, include_limited=args.include_limited,
                                plots_dir=args.plots_dir, literature=literature)
    for target in [out, *([args.readme] if args.readme else [])]:
        print(f"{target}: {'regenerated' if target in changed else 'unchanged'}")
    return 0


def _write_site(args: argparse.Namespace, literature: list) -> None:
    from fsre_bench.report.site import build_site

    if args.site.exists() and not args.site.is_dir():
        raise ConfigError(f"--site {args.site}: exists and is not a directory")
    pages = build_site(args.results, args.site, include_limited=args.include_limited, literature=literature)
    print(f"{args.site}: {len(pages)} page(s) written; open {args.site / 'index.html'}")


def refuse_unverified(results: Path) -> None:
    """A result whose metrics or hashes do not match its logs is not published (one line per file)."""
    from fsre_bench.errors import DataError
    from fsre_bench.report.collect import find_result_files
    from fsre_bench.results.verify import unverified_results

    problems = unverified_results(find_result_files(results))
    if problems:
        raise DataError("\n".join(problems))


def ablation_paths(args: argparse.Namespace) -> list[Path]:
    """The result files of one task (dataset, setting[, protocol]), one per variant (the best if several)."""
    from fsre_bench.report.collect import collect_rows, pick_best

    rows = [row for row in collect_rows(args.results) if _matches(row, args)]
    if not rows:
        raise DataError(f"{args.results}: no result files for dataset {args.dataset} setting {args.setting}"
                        + (f" protocol {args.protocol}" if args.protocol else ""))
    wanted = [m.strip() for m in args.methods.split(",") if m.strip()] if args.methods else None
    by_variant: dict[str, list] = {}
    for row in rows:
        if wanted is None and not _in_family(row, args.reference):
            continue
        if wanted is None or row.method_label in wanted or row.method_name in wanted:
            by_variant.setdefault(row.method_label, []).append(row)
    if wanted is not None and not by_variant:
        raise ConfigError(f"none of --methods {args.methods} ran on that task; found {', '.join(r.method_label for r in rows)}")
    return [pick_best(by_variant[label]).path for label in sorted(by_variant)]


def _in_family(row: ResultFile, reference: str) -> bool:
    """The reference method (any of its option variants) and its ablations (as its result files record them).

    Other methods on the task (icl on fewer episodes, a baseline) are not ablations; ``--methods``
    names them when a comparison should include them.
    """
    family = reference.split(" [", 1)[0]
    return family in (row.method_name, row.ablation_of)


def _matches(row: ResultFile, args: argparse.Namespace) -> bool:
    dataset_ok = args.dataset in (row.dataset, row.result["dataset"]["name"], row.dataset.replace("/", "_"))
    setting_ok = args.setting in (row.setting, row.result["setting"]["name"])
    return dataset_ok and setting_ok and (args.protocol is None or row.protocol == args.protocol)


def _ablation_table(args: argparse.Namespace) -> AblationTable:
    from fsre_bench.report.ablation import build_ablation_table
    from fsre_bench.report.collect import collect_rows

    return build_ablation_table(ablation_paths(args), reference=args.reference, metric=args.metric,
                                n_bootstrap=args.n_bootstrap, seed=args.bootstrap_seed,
                                context=collect_rows(args.results))


def handle_report_ablation(args: argparse.Namespace) -> int:
    from fsre_bench.report.ablation import print_ablation_table, render_ablation_markdown
    from fsre_bench.report.marked_region import ABLATION_END, ABLATION_START, write_region

    table = _ablation_table(args)
    print_ablation_table(table)
    if args.out:
        write_region(args.out, render_ablation_markdown(table), title="fsre-bench ablation",
                     start=ABLATION_START, end=ABLATION_END)
        print(f"wrote {args.out}")
    if args.json:  # raw and Holm-adjusted p, MDE and shared fitted models per row, machine-readable
        from fsre_bench.atomic import atomic_write_text

        atomic_write_text(args.json, json.dumps(table.to_dict(), indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.json}")
    return 0


def handle_plot(args: argparse.Namespace) -> int:
    from fsre_bench.report.render_plots import make_plots

    out_dir = args.out_dir or args.results / "plots"
    for path in make_plots(args.kind, args, out_dir, ablation_table=_ablation_table):
        print(f"wrote {path}")
    return 0


def handle_report_compare(args: argparse.Namespace) -> int:
    from fsre_bench.atomic import atomic_write_text
    from fsre_bench.report.collect import collect_rows
    from fsre_bench.report.comparison import (
        build_comparisons,
        comparisons_to_dict,
        parse_pairs,
        render_comparisons,
    )

    every = collect_rows(args.results)
    rows = [row for row in every if args.dataset in (row.dataset, row.dataset.replace("/", "_"))]
    if not rows:
        raise DataError(f"{args.results}: no result files for dataset {args.dataset}")
    settings = [s.strip() for s in args.settings.split(",") if s.strip()]
    comparisons = build_comparisons(rows, parse_pairs(args.pairs), settings, args.n_bootstrap, every)
    markdown = render_comparisons(comparisons, args.dataset)
    print(markdown, end="")
    if args.out:
        atomic_write_text(args.out, markdown)
        print(f"wrote {args.out}")
    if args.json:
        atomic_write_text(args.json, json.dumps(comparisons_to_dict(comparisons, args.dataset), indent=2,
                                                sort_keys=True) + "\n")
        print(f"wrote {args.json}")
    return 0
