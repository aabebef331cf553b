"""PNG plots from result files: accuracy vs K, ablation Δ, per-relation accuracy, accuracy vs LLM cost.

matplotlib is an extra (``fsre-bench[plots]``) and is imported here, lazily, with the Agg backend,
so nothing else in the harness pays for it. Figures are sized to be read at 100% (about 900 px
wide), and saved without a timestamp so the same results give the same bytes.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fsre_bench.errors import ConfigError
from fsre_bench.report.ablation import AblationTable
from fsre_bench.report.collect import predictions_records
from fsre_bench.report.leaderboard import LeaderboardTable, build_tables
from fsre_bench.results import ResultFile

DPI = 100
_PNG_METADATA = {"Software": None}  # no version string or date: same inputs, same bytes


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, or a one-line error saying how to install it."""
    try:
        import matplotlib
    except ModuleNotFoundError:
        raise ConfigError("plots need matplotlib: pip install 'fsre-bench[plots]'") from None
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 11, "axes.titlesize": 12, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.spines.top": False, "axes.spines.right": False})
    return plt


def _save(fig: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    from fsre_bench.output_paths import writing

    try:
        with writing(path):
            path.parent.mkdir(parents=True, exist_ok=True)
            fig.savefig(path, dpi=DPI, bbox_inches="tight", metadata=_PNG_METADATA)
    finally:
        plt.close(fig)
    return path


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.=-]+", "_", text).strip("_")


def _percent_errors(mean: float, ci95: Sequence[float]) -> tuple[float, list[float]]:
    """Point and asymmetric error-bar lengths, in %; bootstrap intervals need not be symmetric."""
    return mean * 100, [max(0.0, (mean - ci95[0]) * 100), max(0.0, (ci95[1] - mean) * 100)]


# ----------------------------------------------------------------------------- accuracy vs K
def _shot_groups(table: LeaderboardTable) -> dict[str, list[tuple[int, str]]]:
    """Panels of (K, setting): one per N-way (episodic, NOTA rates apart) or a single one (K-shot)."""
    groups: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for setting in table.settings:
        numbers = [int(n) for n in re.findall(r"\d+", setting)]
        if table.protocol == "kshot":
            groups["K-shot per label"].append((numbers[0], setting))
        else:
            nota = f", NOTA {numbers[2]}%" if len(numbers) > 2 else ""
            groups[f"{numbers[0]}-way{nota}"].append((numbers[1], setting))
    return dict(groups)


def plot_accuracy_vs_k(rows: Sequence[ResultFile], out_dir: Path) -> list[Path]:
    """One PNG per (protocol, dataset): the metric vs shots per relation, a line per method, 95% CI bars."""
    return [_save(accuracy_vs_k_figure(table), out_dir / f"accuracy-vs-k_{slug(table.dataset)}_{table.protocol}.png")
            for table in build_tables(rows, by_training_group=False)]


def accuracy_vs_k_figure(table: LeaderboardTable) -> Any:
    """The figure of one leaderboard table: a panel per N-way (or one for K-shot), a line per method."""
    plt = pyplot()
    groups = _shot_groups(table)
    fig, axes = plt.subplots(1, len(groups), figsize=(5.2 * len(groups) + 2.4, 4.6), squeeze=False,
                             sharey=True)
    # One colour per method in every panel, and a legend of every method drawn in any panel.
    methods = sorted(table.cells)
    colour_of = dict(zip(methods, _distinct_colours(plt, len(methods)), strict=True))
    legend: dict[str, Any] = {}
    for ax, (panel, points) in zip(axes[0], sorted(groups.items(), key=_panel_order), strict=True):
        _draw_method_lines(ax, table, sorted(points), colour_of)
        ax.set_title(panel)
        ax.set_xlabel("shots per relation (K)")
        legend.update(zip(*reversed(ax.get_legend_handles_labels()), strict=True))
    axes[0][0].set_ylabel(f"{table.metric.replace('_', '-')} (%)")
    axes[0][0].set_ylim(0, 100)  # the whole scale: a zoomed axis makes small gaps look large
    labels = sorted(legend)
    fig.legend([legend[label] for label in labels], labels, loc="center left", bbox_to_anchor=(1.0, 0.5),
               frameon=False, title="method")
    fig.suptitle(f"{table.dataset} · {table.protocol}: {table.metric.replace('_', '-')} vs K "
                 "(mean over seeds, 95% CI)")
    fig.tight_layout()
    return fig


def _distinct_colours(plt: Any, n: int) -> list[str]:
    """n colours, no two alike: the default cycle while it lasts (10), then tab20, then evenly spaced hues.

    Cycling the default 10 made the 11th method (a table with TKRE's ablations has 12) share a colour."""
    from matplotlib.colors import to_hex

    for palette in (plt.rcParams["axes.prop_cycle"].by_key()["color"], plt.get_cmap("tab20").colors):
        if n <= len(palette):
            return [to_hex(colour) for colour in palette[:n]]
    return [to_hex(plt.get_cmap("turbo")(i / (n - 1))) for i in range(n)]


def _panel_order(group: tuple[str, list[tuple[int, str]]]) -> tuple[int, str]:
    """5-way before 10-way: panels by their leading number, not as strings."""
    leading = re.match(r"\d+", group[0])
    return (int(leading.group()) if leading else 0, group[0])


def _draw_method_lines(ax: Any, table: LeaderboardTable, points: list[tuple[int, str]],
                       colour_of: dict[str, str]) -> None:
    labels = sorted(table.cells)
    for index, label in enumerate(labels):
        # Dodge each method a little along x so equal scores do not hide each other's error bars.
        dodge = 1 + 0.04 * (index - (len(labels) - 1) / 2)
        xs, ys, errs = [], [], [[], []]
        for k, setting in points:
            run = table.cells[label].get(setting)
            if run is None:
                continue
            summary = run.summary(table.metric)
            y, (below, above) = _percent_errors(summary["mean"], summary["ci95"])
            xs.append(k * dodge)
            ys.append(y)
            errs[0].append(below)
            errs[1].append(above)
        if xs:
            ax.errorbar(xs, ys, yerr=errs, marker="o", capsize=4, linewidth=1.8, label=label, clip_on=False,
                        color=colour_of[label])
    ks = sorted({k for k, _ in points})
    ax.set_xticks(ks)
    ax.set_xlim(min(ks) - 0.6 * max(1, min(ks)), max(ks) + 0.6 * max(1, min(ks)))
    if max(ks) / min(ks) >= 4:
        ax.set_xscale("log", base=2)
        ax.set_xticks(ks, [str(k) for k in ks])
        ax.set_xlim(min(ks) / 1.4, max(ks) * 1.4)


# ----------------------------------------------------------------------------- ablation
def plot_ablation(table: AblationTable, path: Path) -> Path:
    """Horizontal bars of Δ vs the reference with 95% CI whiskers; colour and * say whether the Holm-adjusted
    p is below 0.05 (the table's mark)."""
    plt = pyplot()
    variants = [row for row in table.rows if row.difference is not None]
    if not variants:
        raise ConfigError("an ablation plot needs at least one variant besides the reference")
    fig, ax = plt.subplots(figsize=(9, 2.0 + 0.7 * len(variants)))
    ys = list(range(len(variants)))[::-1]
    for y, row in zip(ys, variants, strict=True):
        diff = row.difference
        ci95 = diff.ci95 or (diff.mean_difference, diff.mean_difference)  # 1 training seed: no whisker, no claim
        delta, err = _percent_errors(diff.mean_difference, ci95)
        colour = ("#c0392b" if delta < 0 else "#27ae60") if row.significant else "#95a5a6"
        ax.barh(y, delta, color=colour, height=0.6)
        ax.errorbar(delta, y, xerr=[[err[0]], [err[1]]], color="black", capsize=5, linewidth=1.2)
        ax.annotate(f"{delta:+.2f}{' *' if row.significant else ''}", (ci95[1 if delta >= 0 else 0] * 100, y),
                    xytext=(6 if delta >= 0 else -6, 0), textcoords="offset points", va="center",
                    ha="left" if delta >= 0 else "right", fontsize=10)
    ax.axvline(0, color="black", linewidth=1)
    ax.set_yticks(ys, [row.variant for row in variants])
    ax.set_xlim(*_delta_limits([row.difference.ci95 or (row.difference.mean_difference,) * 2 for row in variants]))
    ax.set_xlabel(f"Δ {table.metric.replace('_', '-')} vs {table.reference} (points of %)")
    ax.set_title(f"Ablation on {table.dataset} · {table.setting}: Δ with 95% CI\n"
                 f"{table.difference_method}\n"
                 f"{table.units_counted}, {table.n_seeds} seed(s); * = Holm-adjusted p < 0.05 (family: this table); grey = not significant",
                 fontsize=9)
    fig.tight_layout()
    return _save(fig, path)


def _delta_limits(intervals: Sequence[Sequence[float]]) -> tuple[float, float]:
    """Always show zero, and leave room on both sides for the value labels."""
    low = min(0.0, *(lo * 100 for lo, _ in intervals))
    high = max(0.0, *(hi * 100 for _, hi in intervals))
    pad = 0.2 * (high - low or 1.0)
    return low - pad, high + pad


# ----------------------------------------------------------------------------- per relation
def per_relation_accuracy(run: ResultFile) -> dict[str, tuple[int, int]]:
    """Gold relation -> (correct, total), pooled over seeds, from the predictions logs."""
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _sha, records in predictions_records(run):
        for record in records:
            for pred, gold in zip(record["pred"], record["gold"], strict=True):
                tally[gold][0] += pred == gold
                tally[gold][1] += 1
    return {gold: (c, n) for gold, (c, n) in tally.items()}


def wilson_interval(correct: int, total: int) -> tuple[float, float]:
    """95% Wilson score interval: sane at 0% and 100%, where the normal interval collapses."""
    if total == 0:
        return (0.0, 0.0)
    z, p = 1.96, correct / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return (centre - half, centre + half)


def relation_names(run: ResultFile) -> dict[str, str]:
    """Human names of the relation ids when the dataset is at hand (and unchanged); else {} and ids are shown."""
    from fsre_bench.errors import FsreError

    try:
        from fsre_bench.data import load_dataset

        dataset = load_dataset(run.dataset)
    except (FsreError, OSError, ValueError):
        return {}
    if dataset.source_sha256 != run.result["dataset"]["sha256"]:
        return {}
    return {rid: relation.name for rid, relation in dataset.relations.items() if relation.name}


def plot_per_relation(run: ResultFile, path: Path, names: dict[str, str] | None = None) -> Path:
    """Accuracy per gold relation for one run, sorted, with Wilson 95% intervals and the overall accuracy."""
    plt = pyplot()
    tally = per_relation_accuracy(run)
    names = relation_names(run) if names is None else names
    order = sorted(tally, key=lambda g: (tally[g][0] / tally[g][1], g))
    fig, ax = plt.subplots(figsize=(9, 1.0 + 0.32 * len(order)))
    for y, gold in enumerate(order):
        correct, total = tally[gold]
        value, err = _percent_errors(correct / total, wilson_interval(correct, total))
        ax.barh(y, value, color="#2e86c1", height=0.7)
        ax.errorbar(value, y, xerr=[[err[0]], [err[1]]], color="black", capsize=3, linewidth=1)
    overall = sum(c for c, _ in tally.values()) / sum(n for _, n in tally.values()) * 100
    ax.axvline(overall, color="#c0392b", linestyle="--")
    labels = [f"{names[g]} ({g})" if g in names and names[g] != g else g for g in order]
    ax.set_yticks(range(len(order)), [label.replace("__nota__", "NOTA") for label in labels], fontsize=9)
    ax.set_xlim(0, 100)
    ax.set_xlabel("accuracy on queries of this gold relation (%), Wilson 95% interval")
    n_queries = sum(n for _, n in tally.values())
    seeds = run.result["seeds"]
    # The overall line is explained in the title: a legend box would sit on top of some bar.
    ax.set_title(f"{run.method_label} on {run.dataset} · {run.setting}: accuracy per relation\n"
                 f"({n_queries} queries, seed{'s' if len(seeds) > 1 else ''} {','.join(map(str, seeds))}; "
                 f"dashed line: all queries, {overall:.1f}%)", fontsize=11)
    fig.tight_layout()
    return _save(fig, path)


# ----------------------------------------------------------------------------- LLM cost
def llm_cost_points(rows: Sequence[ResultFile]) -> list[dict[str, Any]]:
    """ICL runs with LLM usage: metric, tokens per query and LLM wall time per query."""
    points = []
    for run in rows:
        usage = run.result.get("llm") or {}
        queries = sum(seed["n_queries"] for seed in run.result["per_seed"])
        if run.result["method"]["type"] != "icl" or not usage or not queries:
            continue
        tokens = (usage.get("prompt_tokens") or 0) + (usage.get("completion_tokens") or 0)
        summary = run.summary()
        points.append({"label": f"{run.method_label} · {run.dataset} {run.setting}", "metric": run.primary_metric,
                       "mean": summary["mean"], "ci95": summary["ci95"], "tokens_per_query": tokens / queries,
                       "seconds_per_query": (usage.get("wall_s") or 0.0) / queries,
                       "cache_hits": usage.get("cache_hits") or 0, "calls": usage.get("calls") or 0})
    return sorted(points, key=lambda p: p["label"])


def plot_llm_cost(rows: Sequence[ResultFile], path: Path) -> Path | None:
    """Two panels, score vs LLM tokens per query and vs LLM wall time per query; None without ICL runs."""
    points = llm_cost_points(rows)
    if not points:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 4.8), sharey=True)
    panels = (("tokens_per_query", "LLM tokens per query (prompt + completion)"),
              ("seconds_per_query", "LLM wall time per query (s)"))
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (key, xlabel) in zip(axes, panels, strict=True):
        for index, point in enumerate(points):
            y, err = _percent_errors(point["mean"], point["ci95"])
            ax.errorbar(point[key], y, yerr=[[err[0]], [err[1]]], fmt="o", capsize=5, markersize=8,
                        color=colours[index % len(colours)], label=point["label"], clip_on=False)
        ax.set_xlabel(xlabel)
        ax.set_xlim(0, max(p[key] for p in points) * 1.25 or 1.0)  # from zero: cost is a ratio scale
    axes[0].set_ylim(0, 100)
    metrics = sorted({p["metric"].replace("_", "-") for p in points})
    axes[0].set_ylabel(f"{' / '.join(metrics)} (%)")
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(points)),
               frameon=False)
    cached = sum(p["cache_hits"] for p in points)
    fig.suptitle(f"In-context LLM runs: score vs cost (mean, 95% CI; {cached} of "
                 f"{sum(p['calls'] for p in points)} calls from the response cache)")
    fig.tight_layout()
    return _save(fig, path)
