"""The rows ``fsre-bench power`` prints: per method, its variance parts and what a Δ would need."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.metrics.power import (
    DeltaVariance,
    delta_variance,
    minimum_detectable_delta,
    seeds_needed,
    units_needed,
)
from fsre_bench.report.ablation import aligned_counts, unit_counts_by_key
from fsre_bench.report.collect import collect_rows, pick_best
from fsre_bench.results import ResultFile


@dataclass(frozen=True)
class PowerRow:
    label: str
    protocol: str
    paired_with: str | None
    variance: DeltaVariance
    mde: float | None
    seeds: int | None  # seeds (K-shot: splits) needed at today's units per seed
    units: int | None  # units per seed needed at today's seeds (None: more units cannot reach the target)


def _task_rows(results: str, dataset: str, setting: str, protocol: str | None) -> list[ResultFile]:
    rows = [row for row in collect_rows(Path(results))
            if dataset in (row.dataset, row.result["dataset"]["name"], row.dataset.replace("/", "_"))
            and setting in (row.setting, row.result["setting"]["name"])
            and (protocol is None or row.protocol == protocol)]
    if not rows:
        raise DataError(f"{results}: no result files for dataset {dataset} setting {setting}")
    by_label: dict[str, list[ResultFile]] = {}
    for row in rows:
        by_label.setdefault(row.method_label, []).append(row)
    return [pick_best(by_label[label]) for label in sorted(by_label)]


def power_rows(results: str, dataset: str, setting: str, protocol: str | None, reference: str | None,
               metric: str | None, delta: float) -> list[PowerRow]:
    runs = _task_rows(results, dataset, setting, protocol)
    ref = None
    if reference:
        matches = [run for run in runs if reference in (run.method_label, run.method_name)]
        if len(matches) != 1:
            raise ConfigError(f"--reference {reference!r} matches {len(matches)} of: "
                              + ", ".join(run.method_label for run in runs))
        ref = matches[0]
    out = []
    for run in runs:
        if run is ref or len(run.result["seeds"]) < 2:
            continue  # one seed measures no training variance: nothing to extrapolate from
        out.append(_power_row(run, ref, metric or run.primary_metric, delta))
    return out


def _power_row(run: ResultFile, ref: ResultFile | None, metric: str, delta: float) -> PowerRow:
    per_query = run.protocol == "kshot"
    if ref is None:
        _, counts = unit_counts_by_key(run, per_query)
        variance = delta_variance(metric, counts)
    else:
        ref_keys, ref_counts = unit_counts_by_key(ref, per_query)
        variance = delta_variance(metric, aligned_counts(run, ref, ref_keys, per_query), ref_counts)
    sd = variance.seed_sd
    return PowerRow(run.method_label, run.protocol, ref.method_label if ref else None, variance,
                    minimum_detectable_delta(sd, variance.n_seeds), seeds_needed(delta, sd),
                    None if per_query else units_needed(delta, variance, variance.n_seeds))


def render_power(rows: list[PowerRow], delta_points: float) -> list[str]:
    if not rows:
        return ["no result with >= 2 seeds on this task: power needs a measured training variance"]
    lines = [f"Δ = {delta_points:g} points, two-sided paired t-test over seeds, α = 0.05, power 80%"]
    for row in rows:
        v, unit = row.variance, "test sentences" if row.protocol == "kshot" else "episodes"
        seeds_word = "splits" if row.protocol == "kshot" else "seeds"
        versus = f" − {row.paired_with} (paired)" if row.paired_with else " vs an unpaired method of equal variance"
        lines.append(
            f"{row.label}{versus}: {v.n_seeds} {seeds_word} × {v.units_per_seed} {unit}; sd of per-seed Δ "
            f"{v.seed_sd * 100:.2f} (training {v.training_variance ** 0.5 * 100:.2f}, {unit} "
            f"{(v.unit_variance / v.units_per_seed) ** 0.5 * 100:.2f}); MDE at {v.n_seeds} {seeds_word}: "
            + (f"{row.mde * 100:.2f}" if row.mde is not None else "–"))
        seeds = f"{row.seeds}" if row.seeds is not None else "> 200"
        lines.append(f"  needs {seeds} {seeds_word} at {v.units_per_seed} {unit} each"
                     + ("" if row.protocol == "kshot" else "; at " + f"{v.n_seeds} {seeds_word}: "
                        + (f"{row.units} {unit} each" if row.units is not None else
                           f"not reachable with more {unit} (training variance alone is too large)")))
        if row.protocol == "kshot":
            lines.append("  (the K-shot test set is fixed: only more splits help)")
    return lines
