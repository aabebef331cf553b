"""``fsre-bench export``: the results as one table (a row per result x seed) in CSV, JSON or Parquet, or in the
formats other tools read: a Hugging Face model-index block, lm-evaluation-harness results JSON (report/interop.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fsre_bench.errors import ConfigError

FORMATS = ("csv", "json", "parquet", "hf-model-index", "lm-eval")

_EPILOG = """\
examples:
  fsre-bench export --results results --format csv > results.csv
  fsre-bench export --results results --format parquet --out results.parquet     # needs pyarrow
  python -c "import fsre_bench; print(fsre_bench.load_results('results').shape)"  # the same table in pandas
  fsre-bench export --format hf-model-index --out model-index.yaml   # paste into a model card's YAML header
  fsre-bench export --format lm-eval --out lm-eval-results/          # one lm-eval results JSON per result
"""


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "export", help="write every result x seed as one table (csv, json, parquet), or as hf-model-index / lm-eval",
        description="One row per result file and seed: method, type, backbone, dataset, protocol, setting, seed, "
                    "metrics, CI bounds, ci_method, flags (limited, mixed, dirty, degenerate) and provenance.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--results", type=Path, default=Path("results"),
                        help="results directory (its runs/ subtree, as for the leaderboard) or one result file")
    parser.add_argument("--format", choices=FORMATS, default="csv")
    parser.add_argument("--out", type=Path, help="file to write (default: standard output; parquet needs a file; "
                                                 "lm-eval needs a directory, one JSON per result)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from fsre_bench.report.frame import load_results

    if args.format in ("hf-model-index", "lm-eval"):
        return _export_interop(args)
    if args.format == "parquet":
        _check_parquet(args.out)
    frame = load_results(args.results)
    target = args.out if args.out is not None else sys.stdout
    if args.format == "csv":
        frame.to_csv(target, index=False)
    elif args.format == "json":
        frame.to_json(target, orient="records", indent=1)
        if args.out is None:
            print()
    else:
        frame.to_parquet(args.out, index=False)
    if args.out is not None:
        print(f"wrote {len(frame)} rows to {args.out}", file=sys.stderr)
    return 0


def _export_interop(args: argparse.Namespace) -> int:
    import json

    import yaml

    from fsre_bench.atomic import atomic_write_text
    from fsre_bench.report.collect import load_rows, result_paths
    from fsre_bench.report.interop import hf_model_index, lm_eval_results, lm_eval_task
    from fsre_bench.report.plots import slug

    if args.format == "lm-eval" and (args.out is None or (args.out.exists() and not args.out.is_dir())):
        raise ConfigError("--format lm-eval writes one JSON per result: give --out DIRECTORY")
    rows = load_rows(result_paths(args.results))
    if args.format == "hf-model-index":
        text = yaml.safe_dump(hf_model_index(rows), sort_keys=False, allow_unicode=True, width=120)
        if args.out is None:
            sys.stdout.write(text)
            return 0
        atomic_write_text(args.out, text)
        print(f"wrote the model-index of {len(rows)} result(s) to {args.out}", file=sys.stderr)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for run in rows:
        name = f"results_{lm_eval_task(run)}__{slug(run.method_label)}__{run.path.stem}.json"
        atomic_write_text(args.out / name, json.dumps(lm_eval_results(run), indent=2, sort_keys=True) + "\n")
    print(f"wrote {len(rows)} lm-eval results file(s) to {args.out}", file=sys.stderr)
    return 0


def _check_parquet(out: Path | None) -> None:
    """Before reading anything: parquet needs pyarrow and a file (it is binary)."""
    if out is None:
        raise ConfigError("--format parquet writes a binary file: give --out FILE.parquet")
    try:
        import pyarrow  # noqa: F401
    except ModuleNotFoundError:
        raise ConfigError("--format parquet needs pyarrow, which is not installed (pip install pyarrow); "
                          "--format csv or json need nothing more") from None
