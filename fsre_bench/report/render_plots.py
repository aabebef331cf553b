"""Which plots ``fsre-bench plot KIND`` draws, from which result files, to which PNG names."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from fsre_bench.errors import ConfigError
from fsre_bench.report.ablation import AblationTable
from fsre_bench.report.collect import collect_rows, load_rows
from fsre_bench.report.plots import plot_ablation, plot_accuracy_vs_k, plot_llm_cost, plot_per_relation, slug
from fsre_bench.results import ResultFile


def make_plots(kind: str, args: argparse.Namespace, out_dir: Path,
               ablation_table: Callable[[argparse.Namespace], AblationTable]) -> list[Path]:
    """Render ``kind`` (``all``: accuracy-vs-k, llm-cost and every task's ablation plot); returns the PNGs written."""
    if kind == "per-relation":
        return [_per_relation(args, out_dir)]
    if kind == "ablation":
        if not (args.dataset and args.setting):
            raise ConfigError("plot ablation needs --dataset and --setting (and --reference unless it is tkre)")
        table = ablation_table(args)
        name = f"ablation_{slug(table.dataset)}_{table.protocol}_{slug(table.setting)}_{table.metric}.png"
        return [plot_ablation(table, out_dir / name)]
    # Limited runs are not for reporting, so the plots that summarise everything leave them out.
    rows = [row for row in collect_rows(args.results) if not row.limited]
    written = []
    if kind in ("accuracy-vs-k", "all"):
        written.extend(plot_accuracy_vs_k(rows, out_dir))
    if kind in ("llm-cost", "all"):
        path = plot_llm_cost(rows, out_dir / "llm-cost.png")
        if path is None and kind == "llm-cost":
            raise ConfigError(f"{args.results}: no in-context LLM (icl) runs with LLM usage to plot")
        written.extend([path] if path else [])
    if kind == "all":
        for dataset, protocol, setting, reference in ablation_tasks(rows):
            task_args = argparse.Namespace(**{**vars(args), "dataset": dataset, "protocol": protocol,
                                              "setting": setting, "reference": reference, "methods": None})
            written.extend(make_plots("ablation", task_args, out_dir, ablation_table))
    return written


def ablation_tasks(rows: list[ResultFile]) -> list[tuple[str, str, str, str]]:
    """(dataset, protocol, setting, reference) of every task where an ablation ran beside the method it
    ablates, as the result files record it (``method.ablation_of``): what ``plot all`` draws ablations for."""
    methods = {(row.dataset, row.protocol, row.setting, row.method_name) for row in rows}
    return sorted({(row.dataset, row.protocol, row.setting, row.ablation_of) for row in rows
                   if row.ablation_of and (row.dataset, row.protocol, row.setting, row.ablation_of) in methods})


def _per_relation(args: argparse.Namespace, out_dir: Path) -> Path:
    if not args.run:
        raise ConfigError("plot per-relation needs --run RESULT.json (one result file)")
    (run,) = load_rows([args.run])
    name = f"per-relation_{slug(run.method_label)}_{slug(run.dataset)}_{run.protocol}_{slug(run.setting)}.png"
    return plot_per_relation(run, out_dir / name)
