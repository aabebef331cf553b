"""Ablation tables: each variant's score ± CI and its difference to the full method, paired per unit.

The CI of Δ includes training variance where a fitted model depends on the seed (a trained method,
or any method on K-shot splits): a t-interval over the per-seed Δ (see metrics/seed_level.py); frozen
episodic methods keep the paired episode bootstrap. Every row also shows its per-seed Δ and how many
seeds agree in sign; a trained comparison on one seed shows Δ without a CI or a significance mark.

The table is one family of tests: its p-values are Holm-Bonferroni adjusted within it and the
adjusted p drives the mark (metrics/multiplicity.py); each row also gives the minimum Δ its own
variance lets the test detect at 80% power (metrics/power.py) and the other results whose fitted
models it shares (report/shared_models.py), so two rows on one set of models are not read as two
replications.

Pairing is by (episode-file sha256, episode id), read from the predictions logs the result files
name, so a variant counts only when it answered exactly the reference's episodes; for K-shot RC
(one "episode" per seed) the unit is one test query of that episode.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.metrics import PairedDifference, paired_bootstrap
from fsre_bench.metrics.multiplicity import family_caption, holm_adjust
from fsre_bench.metrics.power import minimum_detectable_delta
from fsre_bench.metrics.seed_level import (
    CI_T_OVER_SEED_DIFFERENCES,
    ONE_SEED_NOTE,
    SeedPairedDifference,
    paired_seed_difference,
)
from fsre_bench.report.cells import format_mean_ci
from fsre_bench.report.collect import load_rows
from fsre_bench.report.shared_models import independent_models, shared_label, shares_models_with
from fsre_bench.results import ResultFile, negative_labels, unit_counts

SIGNIFICANT_MARK = "*"
ALPHA = 0.05
Z_975, Z_80 = 1.959964, 0.841621  # normal quantiles: the MDE of a bootstrap Δ from its CI's standard error


@dataclass(frozen=True)
class AblationRow:
    """One variant: its own score (from its result file) and, unless it is the reference, Δ vs the reference."""

    variant: str
    path: Path
    mean: float
    ci95: tuple[float, float]
    difference: PairedDifference | SeedPairedDifference | None  # the interval the table reports
    seeds: SeedPairedDifference | None = None  # per-seed Δ and sign agreement, whatever the interval
    p_adjusted: float | None = None  # Holm-Bonferroni within the table (the family); drives the mark
    mde: float | None = None  # minimum |Δ| detectable at 80% power from this row's own variance
    shared_with: tuple[str, ...] = ()  # other results (method setting) whose fitted models this row's seeds used
    independent_models: int = 0  # distinct fitted models behind the row (its seeds, unless they share one)

    @property
    def significant(self) -> bool:
        return self.p_adjusted is not None and self.p_adjusted < ALPHA and bool(
            self.difference and self.difference.excludes_zero)


@dataclass(frozen=True)
class AblationTable:
    reference: str
    metric: str
    dataset: str
    protocol: str
    setting: str
    unit: str  # "episode" or "query": what the paired bootstrap resamples
    n_units: int
    n_seeds: int
    n_bootstrap: int
    seed: int
    rows: tuple[AblationRow, ...]
    difference_method: str = ""  # what the CI of Δ is (seed-level t, paired bootstrap, or none with 1 seed)
    family: str = ""  # the multiple-comparison family and its correction, in words

    @property
    def units_counted(self) -> str:
        """``13585 queries``, ``3000 episodes``: the paired units in words (captions of tables and plots)."""
        return f"{self.n_units} {self.unit if self.n_units == 1 else units_plural(self.unit)}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, for callers that store the table next to its markdown."""
        return {
            "reference": self.reference, "metric": self.metric, "dataset": self.dataset, "protocol": self.protocol,
            "setting": self.setting, "unit": self.unit, "n_units": self.n_units, "n_seeds": self.n_seeds,
            "n_bootstrap": self.n_bootstrap, "seed": self.seed, "difference_method": self.difference_method,
            "family": self.family,
            "rows": [{"variant": r.variant, "path": str(r.path), "mean": r.mean, "ci95": list(r.ci95),
                      "difference": r.difference.to_dict() if r.difference else None,
                      "seeds": r.seeds.to_dict() if r.seeds else None,
                      "p_raw": r.difference.p_value if r.difference else None, "p_holm": r.p_adjusted,
                      "significant": r.significant, "mde_80": r.mde, "independent_models": r.independent_models,
                      "shares_fitted_models_with": list(r.shared_with)} for r in self.rows],
        }


def build_ablation_table(
    result_paths: Sequence[Path],
    reference: str = "tkre",
    metric: str | None = None,
    n_bootstrap: int = 1000,
    seed: int = 0,
    context: Sequence[ResultFile] = (),
) -> AblationTable:
    """Score ± CI per variant and a paired Δ vs ``reference`` (a variant label or method name), Holm-adjusted
    within the table; ``context`` are the other results to check for shared fitted models."""
    runs = load_rows(result_paths)
    _check_same_task(runs)
    labels = variant_labels(runs)
    duplicates = sorted({label for label in labels.values() if list(labels.values()).count(label) > 1})
    if duplicates:
        raise DataError(f"several result files for variant(s) {', '.join(duplicates)}; pass one file per variant")
    ref = _find_reference(runs, reference, labels)
    metric = metric or ref.primary_metric
    if metric not in ref.result["metrics"]:
        raise ConfigError(f"unknown metric {metric!r}; result files hold accuracy and micro_f1")
    per_query = ref.protocol == "kshot"
    ref_keys, ref_counts = unit_counts_by_key(ref, per_query)
    intervals = set()
    rows = [_row(ref, labels[id(ref)], metric, None)]
    for run in runs:
        if run is ref:
            continue
        counts = aligned_counts(run, ref, ref_keys, per_query)
        seeds = paired_seed_difference(metric, counts, ref_counts)
        difference: PairedDifference | SeedPairedDifference = seeds
        interval = difference_interval([run, ref], len(ref_keys))  # per pair: a frozen pair keeps its bootstrap
        intervals.add(interval)
        if interval == "bootstrap":
            difference = paired_bootstrap(metric, counts, ref_counts, n_bootstrap=n_bootstrap, seed=seed)
        rows.append(_row(run, labels[id(run)], metric, difference, seeds))
    rows = _with_family_statistics(rows, [*runs, *context])
    interval = intervals.pop() if len(intervals) == 1 else "mixed"
    unit = "query" if per_query else "episode"
    return AblationTable(
        reference=labels[id(ref)], metric=metric, dataset=ref.dataset, protocol=ref.protocol,
        setting=ref.setting, unit=unit, n_units=sum(len(keys) for keys in ref_keys), n_seeds=len(ref_keys),
        n_bootstrap=n_bootstrap, seed=seed, rows=tuple(rows),
        difference_method=_difference_method(interval, unit, len(ref_keys), n_bootstrap, seed),
        family=family_caption("this table", sum(r.p_adjusted is not None for r in rows)),
    )


def _with_family_statistics(rows: list[AblationRow], context: Sequence[ResultFile]) -> list[AblationRow]:
    """Holm-adjusted p over the table's tests, each row's MDE, and the fitted models it shares."""
    adjusted = holm_adjust([row.difference.p_value if row.difference else None for row in rows])
    by_path = {str(run.path): run for run in context}
    others = list(by_path.values())
    out = []
    for row, p_holm in zip(rows, adjusted, strict=True):
        run = by_path.get(str(row.path))
        shared = tuple(sorted({shared_label(o) for o in shares_models_with(run, others)})) if run else ()
        out.append(replace(row, p_adjusted=p_holm, mde=_mde(row), shared_with=shared,
                           independent_models=independent_models(run) if run else 0))
    return out


def _mde(row: AblationRow) -> float | None:
    """80%-power MDE: from the per-seed Δ's sd (t-test over seeds), or a bootstrap CI's standard error."""
    diff, seeds = row.difference, row.seeds
    if diff is None or diff.ci95 is None:
        return None
    if isinstance(diff, PairedDifference):
        return (Z_975 + Z_80) * (diff.ci95[1] - diff.ci95[0]) / (2 * Z_975)
    assert seeds is not None
    return minimum_detectable_delta(float(np.std(seeds.per_seed, ddof=1)), seeds.n_seeds)


def difference_interval(runs: Sequence[ResultFile], n_seeds: int) -> str:
    """``seed-level`` when a fitted model (trained method) or a K-shot split depends on the seed and there are
    >= 2 seeds; ``none`` for a trained method on 1 seed (training variance not measured); else ``bootstrap``."""
    trained = any(run.result["method"]["type"] == "trained" for run in runs)
    if (trained or runs[0].protocol == "kshot") and n_seeds >= 2:
        return "seed-level"
    return "none" if trained else "bootstrap"


def _difference_method(interval: str, unit: str, n_seeds: int, n_bootstrap: int, seed: int) -> str:
    if interval == "seed-level":
        return CI_T_OVER_SEED_DIFFERENCES.format(n=n_seeds)
    if interval == "none":
        return f"{ONE_SEED_NOTE}: no CI of Δ, no significance claim"
    if interval == "mixed":
        return (f"per pair: {CI_T_OVER_SEED_DIFFERENCES.format(n=n_seeds)} where a model depends on the seed, "
                f"else a paired bootstrap over {units_plural(unit)} (B={n_bootstrap}, seed {seed})")
    return f"paired bootstrap over {units_plural(unit)}, stratified by seed (percentile, B={n_bootstrap}, seed {seed})"


def units_plural(unit: str) -> str:
    """``query`` -> ``queries``, ``episode`` -> ``episodes`` (a plain +s made "querys")."""
    return "queries" if unit == "query" else f"{unit}s"


def _check_same_task(runs: Sequence[ResultFile]) -> None:
    if not runs:
        raise DataError("no result files given for the ablation table")
    tasks = sorted({(run.dataset, run.protocol, run.setting) for run in runs})
    if len(tasks) > 1:
        listed = "; ".join(" · ".join(task) for task in tasks)
        raise DataError(f"an ablation table compares variants on one task, but the files cover {listed}")


def variant_labels(runs: Sequence[ResultFile]) -> dict[int, str]:
    """Labels by id(run): options every variant shares (budgets, knowledge source) are left out as noise."""
    shared = set.intersection(*(set(run.options) for run in runs)) if runs else set()
    return {id(run): run.label_without(shared) for run in runs}


def _find_reference(runs: Sequence[ResultFile], reference: str, labels: dict[int, str]) -> ResultFile:
    exact = [run for run in runs if reference in (labels[id(run)], run.method_label)]
    by_name = [run for run in runs if run.method_name == reference]
    if len(exact) == 1:
        return exact[0]
    if len(by_name) == 1:
        return by_name[0]
    known = ", ".join(labels[id(run)] for run in runs)
    why = "is ambiguous" if by_name else "is not among the variants"
    raise ConfigError(f"reference {reference!r} {why} ({known}); pass --reference with one of them")


def unit_counts_by_key(run: ResultFile, per_query: bool) -> tuple[list[list[tuple]], list[np.ndarray]]:
    """Per seed: the units' keys, in log order, and their count rows (the runner's own unit definition)."""
    negative = negative_labels(run.result["dataset"].get("negative_label"))
    keys_per_seed, counts_per_seed = [], []
    for sha, records in run.predictions_records():
        if per_query:
            keys = [(sha, r["episode"], i) for r in records for i in range(len(r["gold"]))]
        else:
            keys = [(sha, r["episode"]) for r in records]
        keys_per_seed.append(keys)
        counts_per_seed.append(unit_counts(records, negative, per_query))
    return keys_per_seed, counts_per_seed


def aligned_counts(run: ResultFile, ref: ResultFile, ref_keys: list[list[tuple]], per_query: bool) -> list[np.ndarray]:
    """The variant's count rows reordered to the reference's units; any mismatch is a one-line DataError."""
    keys, counts = unit_counts_by_key(run, per_query)
    index = {key: (s, i) for s, seed_keys in enumerate(keys) for i, key in enumerate(seed_keys)}
    wanted = {key for seed_keys in ref_keys for key in seed_keys}
    if set(index) != wanted:
        theirs = sorted({sha[:8] for sha, *_ in index})
        ours = sorted({sha[:8] for sha, *_ in wanted})
        raise DataError(
            f"{run.path}: variant {run.method_label} was not evaluated on the reference's episodes "
            f"({len(index)} units in episode files {', '.join(theirs)} vs {len(wanted)} in {', '.join(ours)}); "
            "rerun it with the same --episodes/--seeds (or --episodes-file)"
        )
    aligned = []
    for seed_keys in ref_keys:
        aligned.append(np.stack([counts[index[key][0]][index[key][1]] for key in seed_keys]))
    return aligned


def _row(run: ResultFile, label: str, metric: str, difference: PairedDifference | SeedPairedDifference | None,
         seeds: SeedPairedDifference | None = None) -> AblationRow:
    summary = run.summary(metric)
    return AblationRow(label, run.path, summary["mean"], tuple(summary["ci95"]), difference, seeds)


def _difference_cells(row: AblationRow, n_bootstrap: int) -> list[str]:
    diff, seeds = row.difference, row.seeds
    if diff is None or seeds is None:
        return ["–", "–", "–", "–", "–", "–", "–", ""]
    per_seed = "[" + ", ".join(f"{d * 100:+.2f}" for d in seeds.per_seed) + "]"
    agree = f"{seeds.seeds_agreeing}/{seeds.n_seeds}"
    if diff.ci95 is None:  # one training seed: Δ is a number, not a claim
        return [f"{diff.mean_difference * 100:+.2f}", "–", "–", "–", "–", per_seed, agree, ""]
    lo, hi = diff.ci95
    mde = f"{row.mde * 100:.2f}" if row.mde is not None else "–"
    return [f"{diff.mean_difference * 100:+.2f}", f"[{lo * 100:+.2f}, {hi * 100:+.2f}]",
            _p_text(diff.p_value, diff, n_bootstrap), _p_text(row.p_adjusted, diff, n_bootstrap), mde,
            per_seed, agree, SIGNIFICANT_MARK if row.significant else ""]


def _p_text(p_value: float | None, diff: PairedDifference | SeedPairedDifference, n_bootstrap: int) -> str:
    if p_value is None:
        return "–"
    # A bootstrap p-value of 0 from B replicates only says p < 2/B.
    if p_value == 0 and isinstance(diff, PairedDifference):
        return f"< {2 / n_bootstrap:.3f}"
    return f"{p_value:.3f}"


_ALIGN = ["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---"]


def _header(table: AblationTable, reference: str | None = None) -> list[str]:
    reference = reference or table.reference
    return ["Variant", f"{table.metric.replace('_', '-')} ± CI", f"Δ vs {reference}", "95% CI of Δ", "p",
            "p (Holm)", "MDE (80%)", "Δ per seed", "seeds agreeing", ""]


def _cells(table: AblationTable, row: AblationRow) -> list[str]:
    name = f"{row.variant} (reference)" if row.difference is None else row.variant
    return [name, format_mean_ci(row.mean, row.ci95), *_difference_cells(row, table.n_bootstrap)]


def _caption(table: AblationTable) -> str:
    mark = (f"Family: the {sum(r.p_adjusted is not None for r in table.rows)} tests of this table, "
            f"{table.family.split(' within ')[0]}-adjusted (p (Holm)); {SIGNIFICANT_MARK} = adjusted p < {ALPHA} "
            "(raw p alone marks nothing). MDE (80%): the smallest |Δ| this row's own variance lets the test "
            "detect with 80% power. " if not table.difference_method.startswith(ONE_SEED_NOTE) else "")
    return (f"Δ = variant − {table.reference} on the same {table.units_counted} ({table.n_seeds} seed(s)); "
            f"CI of Δ: {table.difference_method}. Seeds agreeing: seeds whose Δ has the sign of the mean Δ. "
            f"{mark}{_shared_note(table)}Scores in %, ± half-width of each result's own 95% CI.")


def _shared_note(table: AblationTable) -> str:
    """Which rows' fitted models other results reuse: those results are not further replications."""
    shared = [f"{row.variant} ({', '.join(row.shared_with)})" for row in table.rows if row.shared_with]
    if not shared:
        return ""
    return ("Fitted models shared with other results (the same models, not independent replications): "
            + "; ".join(shared) + ". ")


def render_ablation_markdown(table: AblationTable) -> str:
    """A markdown table with a heading and a caption saying what Δ and the marks mean."""
    lines = [f"### Ablation: {table.dataset} · {table.protocol} · {table.setting} · "
             f"{table.metric.replace('_', '-')} (%)", ""]
    header = _header(table)
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join(_ALIGN) + " |")
    for row in table.rows:
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in _cells(table, row)) + " |")
    lines.extend(["", _caption(table), *_negative_class_lines(table)])
    return "\n".join(lines) + "\n"


def _negative_class_lines(table: AblationTable) -> list[str]:
    """K-shot: how often each variant answers the negative label micro-F1 leaves out, and how well."""
    from fsre_bench.report.population_ci import negative_class

    stats = [(row.variant, negative_class(load_rows([row.path])[0])) for row in table.rows]
    if not any(stat for _, stat in stats):
        return []
    label = next(stat["label"] for _, stat in stats if stat)
    lines = ["", f"Negative class `{label}` (left out of micro-F1), pooled over the seeds:", "",
             "| Variant | gold share | predicted share | precision | recall |", "| --- | ---: | ---: | ---: | ---: |"]
    for variant, stat in stats:
        if stat:
            cells = [f"{stat['gold_share'] * 100:.1f}%", f"{stat['pred_share'] * 100:.1f}%",
                     *("–" if stat[k] is None else f"{stat[k] * 100:.1f}%" for k in ("precision", "recall"))]
            lines.append(f"| {variant} | " + " | ".join(cells) + " |")
    return lines


def print_ablation_table(table: AblationTable, console: Console | None = None) -> None:
    """The same numbers as the markdown, as a rich table."""
    if console is None:
        from fsre_bench.cli.tables import log_friendly_console

        console = log_friendly_console()
    rich_table = Table(title=escape(f"ablation: {table.dataset} · {table.protocol} · {table.setting} (%)"),
                       caption=escape(_caption(table)))
    header = _header(table, reference="ref.")  # a long label would squeeze the numbers
    per_seed = header.index("Δ per seed")
    for index, column in enumerate(header):
        # The per-seed list may wrap (one seed per line if need be); names and single numbers stay whole.
        rich_table.add_column(escape(column), justify="left" if index in (0, len(header) - 1) else "right",
                              no_wrap=index != per_seed, overflow="fold", min_width=len(table.reference) if index == 0 else None)
    for row in table.rows:
        rich_table.add_row(*(escape(cell) for cell in _cells(table, row)))
    console.print(rich_table)
