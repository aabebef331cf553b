"""``fsre-bench score``: a system outside the harness answered exported episodes; write its result file."""

from __future__ import annotations

import argparse
import sys

from fsre_bench.errors import ConfigError

METHOD_TYPES = ("floor", "metric", "trained", "icl")

EXAMPLES = """\
examples:
  # one seed: the episode file you exported and your answers to its text file
  fsre-bench score --episodes-file out/fewrel_val_wiki-episodic-5-1-s0.episodes.jsonl --predictions answers-s0.jsonl \\
      --method-name my-llm --method-type icl --backbone llama-3-8b
  # three seeds -> one seed-level result, as for a trained method the harness ran
  fsre-bench score --method-name my-model --method-type trained \\
      --episodes-file out/...-s0.episodes.jsonl --predictions s0.jsonl \\
      --episodes-file out/...-s1.episodes.jsonl --predictions s1.jsonl \\
      --episodes-file out/...-s2.episodes.jsonl --predictions s2.jsonl

predictions file: line 1 {"episode_file_sha256": "<from the text file's header>"}, then one line per episode
{"episode_id": "0-00000", "predictions": ["P931", "__nota__", ...]} or per query
{"episode_id": "0-00000", "query_index": 0, "label": "P931"}.
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "score", help="score predictions made outside the harness on exported episodes (writes a result file)",
        description="Validate predictions against their episode file and write a result file (provenance external) "
                    "that leaderboard, report ablation and plot read like any run. Method facts are declared, "
                    "not verified.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--episodes-file", action="append", required=True,
                        help="an exported .episodes.jsonl (repeat, paired in order with --predictions, for seeds)")
    parser.add_argument("--predictions", action="append", required=True, help="your predictions JSONL for that file")
    parser.add_argument("--seed", action="append", type=int,
                        help="the seed each pair answers (optional; must be its episode file's seed)")
    parser.add_argument("--method-name", required=True, help="your system's name (the leaderboard shows 'NAME (external)')")
    parser.add_argument("--method-type", choices=METHOD_TYPES, default="trained",
                        help="declared type (default trained: a seed-dependent model, the cautious interval)")
    parser.add_argument("--backbone", help="declared backbone, e.g. bert-base-uncased or gpt-4o-2024-08-06")
    parser.add_argument("--parameters", type=int, help="declared parameter count")
    parser.add_argument("--training-data", help="declared training data (a dataset name; its relations must be "
                        "disjoint from the evaluation split's)")
    parser.add_argument("--description", default="", help="one line about the system")
    parser.add_argument("--dataset", help="the dataset file the episodes were built from, when not a registered name")
    parser.add_argument("--data-dir", help="data directory (default $FSRE_BENCH_DATA_DIR or ~/.cache/fsre_bench/data)")
    parser.add_argument("--output-dir", default=None, help="where the result goes (default ./fsre-results)")
    parser.add_argument("--n-bootstrap", type=int, default=1000, help="bootstrap replicates for CIs (default 1000)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from fsre_bench.external.score import ScorePair, Submission, score_predictions
    from fsre_bench.runner.config import USER_OUTPUT_DIR

    if len(args.episodes_file) != len(args.predictions):
        raise ConfigError(f"{len(args.episodes_file)} --episodes-file but {len(args.predictions)} --predictions; "
                          "give one predictions file per episode file, in the same order")
    if args.seed is not None and len(args.seed) != len(args.episodes_file):
        raise ConfigError(f"{len(args.seed)} --seed for {len(args.episodes_file)} episode files; give one per file or none")
    seeds = args.seed or [None] * len(args.episodes_file)
    pairs = [ScorePair(episodes, predictions, seed)
             for episodes, predictions, seed in zip(args.episodes_file, args.predictions, seeds, strict=True)]
    submission = Submission(name=args.method_name, type=args.method_type, backbone=args.backbone,
                            parameters=args.parameters, training_data=args.training_data, description=args.description)
    path, result = score_predictions(pairs, submission, dataset=args.dataset, data_dir=args.data_dir,
                                     output_dir=args.output_dir or USER_OUTPUT_DIR, n_bootstrap=args.n_bootstrap,
                                     command=["fsre-bench", *sys.argv[1:]])
    metric = result["metrics"]["primary"]
    summary = result["metrics"][metric]
    low, high = summary["ci95"]
    print(f"{result['method']['label']} {result['setting']['name']} seeds {','.join(map(str, result['seeds']))}: "
          f"{metric} {summary['mean'] * 100:.2f} (95% CI {low * 100:.2f}-{high * 100:.2f}; {summary['ci_method']})")
    print(f"wrote {path}")
    return 0
