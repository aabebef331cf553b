"""A method-vs-controls block: paired comparisons A → B over several settings, one Holm family.

``fsre-bench report compare --pairs finetune:tkre,proto-ft:tkre --settings K=8,K=16,K=32`` makes
one test per (pair, setting), each the same paired Δ = B − A the ablation table computes (t over
per-seed Δ where a model depends on the seed), and adjusts all of them together: the family is the
block, so "TKRE beats finetune at every K" must survive the other tests it was made beside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.metrics.multiplicity import HOLM, holm_adjust
from fsre_bench.report.ablation import ALPHA, AblationRow, build_ablation_table
from fsre_bench.report.collect import pick_best
from fsre_bench.report.shared_models import independent_models
from fsre_bench.results import ResultFile


@dataclass(frozen=True)
class Comparison:
    setting: str
    before: str  # A
    after: str  # B: Δ = B − A
    row: AblationRow  # B's row of the two-row table with reference A (Δ, raw p, MDE, shared models)
    models: tuple[int, int]  # independent fitted models behind A and B


def parse_pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in (part.strip() for part in text.split(",") if part.strip()):
        before, sep, after = item.partition(":")
        if not sep or not before or not after:
            raise ConfigError(f"--pairs: {item!r} is not A:B (Δ = B − A)")
        pairs.append((before.strip(), after.strip()))
    return pairs


def _find(rows: Sequence[ResultFile], name: str, setting: str) -> ResultFile:
    matches = [r for r in rows if r.setting == setting and name in (r.method_label, r.method_name)]
    if not matches:
        raise DataError(f"no result for {name} at setting {setting}")
    return pick_best(matches)


def build_comparisons(rows: Sequence[ResultFile], pairs: Sequence[tuple[str, str]], settings: Sequence[str],
                      n_bootstrap: int, context: Sequence[ResultFile]) -> list[Comparison]:
    """Every (pair, setting) test, Holm-adjusted over the whole block."""
    out = []
    for setting in settings:
        for before, after in pairs:
            a, b = _find(rows, before, setting), _find(rows, after, setting)
            table = build_ablation_table([a.path, b.path], reference=a.method_label, n_bootstrap=n_bootstrap,
                                         seed=0, context=context)
            out.append(Comparison(setting, before, after, table.rows[1], (independent_models(a), independent_models(b))))
    adjusted = holm_adjust([c.row.difference.p_value if c.row.difference else None for c in out])
    return [replace(c, row=replace(c.row, p_adjusted=p)) for c, p in zip(out, adjusted, strict=True)]


def render_comparisons(comparisons: Sequence[Comparison], dataset: str) -> str:
    tested = sum(c.row.p_adjusted is not None for c in comparisons)
    lines = [f"### Comparisons: {dataset}", "",
             "| A → B | setting | Δ = B − A | 95% CI of Δ | p | p (Holm) | MDE (80%) | Δ per seed | agreeing "
             "| independent models (A / B) |  |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for c in comparisons:
        diff, seeds = c.row.difference, c.row.seeds
        assert diff is not None and seeds is not None
        ci = f"[{diff.ci95[0] * 100:+.2f}, {diff.ci95[1] * 100:+.2f}]" if diff.ci95 else "–"
        p, p_holm = _p_text(diff.p_value), _p_text(c.row.p_adjusted)
        mde = f"{c.row.mde * 100:.2f}" if c.row.mde is not None else "–"
        per_seed = " / ".join(f"{d * 100:+.2f}" for d in seeds.per_seed)
        lines.append(f"| {c.before} → {c.after} | {c.setting} | {diff.mean_difference * 100:+.2f} | {ci} | {p} | "
                     f"{p_holm} | {mde} | {per_seed} | {seeds.seeds_agreeing}/{seeds.n_seeds} | "
                     f"{c.models[0]} / {c.models[1]} | {'*' if c.row.significant else ''} |")
    shared = sorted({f"{c.after} {c.setting}: {', '.join(c.row.shared_with)}" for c in comparisons if c.row.shared_with})
    lines += ["", f"Family: these {tested} tests, {HOLM}-adjusted together (p (Holm)); * = adjusted p < {ALPHA}. "
              "Δ and its CI as in the ablation tables (t over per-seed paired Δ where a fitted model depends on the "
              "seed; the CI holds these relations / this test set fixed). MDE (80%): the smallest |Δ| the row's own "
              "variance lets the test detect with 80% power. Independent models: distinct fitted models per side."]
    if shared:
        lines += ["", "B's fitted models are shared with (not independent replications): " + "; ".join(shared) + "."]
    return "\n".join(lines) + "\n"


def _p_text(p_value: float | None) -> str:
    if p_value is None:
        return "–"
    return "< 0.001" if p_value < 0.0005 else f"{p_value:.3f}"


def comparisons_to_dict(comparisons: Sequence[Comparison], dataset: str) -> dict[str, Any]:
    return {"dataset": dataset, "family": f"{HOLM} within this block ({len(comparisons)} tests)",
            "tests": [{"setting": c.setting, "a": c.before, "b": c.after,
                       "difference": c.row.difference.to_dict() if c.row.difference else None,
                       "p_raw": c.row.difference.p_value if c.row.difference else None, "p_holm": c.row.p_adjusted,
                       "significant": c.row.significant, "mde_80": c.row.mde,
                       "independent_models": list(c.models), "b_shares_fitted_models_with": list(c.row.shared_with)}
                      for c in comparisons]}
