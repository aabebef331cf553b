"""Inline SVG for the site's two charts: a CI bar in each leaderboard cell and per-relation accuracy.

Why hand-written SVG and neither charting library the issue names: vega-lite via altair needs the vega
scripts inlined (altair does that only through vl-convert-python, a ~40 MB wheel) and plotly's script is
~4.6 MB; these charts are a dot with a whisker and a bar per relation, so SVG made here renders offline
in any browser, adds bytes only where drawn, and is byte-identical on every rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from fsre_bench.report.site.views import RelationView

BAR_WIDTH = 120  # px of a CI bar: 0-100 %


def _x(value: float, width: float) -> str:
    return f"{max(0.0, min(1.0, value)) * width:.1f}"


def ci_bar(mean: float, low: float | None, high: float | None, label: str) -> str:
    """0-100 % axis, the interval as a line with end ticks, the mean as a dot; a tooltip says the numbers."""
    tip = f"{label}: {mean * 100:.2f}" + (f" (95% CI {low * 100:.2f}–{high * 100:.2f})" if low is not None else
                                           " (no interval)")
    parts = [f'<svg class="ci" width="{BAR_WIDTH}" height="12" viewBox="0 0 {BAR_WIDTH} 12" role="img" '
             f'aria-label="{escape(tip)}"><title>{escape(tip)}</title>',
             f'<line x1="0" y1="6" x2="{BAR_WIDTH}" y2="6" class="axis"/>']
    if low is not None and high is not None:
        lo, hi = _x(low, BAR_WIDTH), _x(high, BAR_WIDTH)
        parts.append(f'<line x1="{lo}" y1="6" x2="{hi}" y2="6" class="interval"/>'
                     f'<line x1="{lo}" y1="2" x2="{lo}" y2="10" class="interval"/>'
                     f'<line x1="{hi}" y1="2" x2="{hi}" y2="10" class="interval"/>')
    parts.append(f'<circle cx="{_x(mean, BAR_WIDTH)}" cy="6" r="3" class="mean"/></svg>')
    return "".join(parts)


def relation_chart(relations: Sequence[RelationView], overall: float | None) -> str:
    """One horizontal bar per gold relation (sorted as given) with its Wilson interval; dashed: all queries."""
    label_w, plot_w, row_h = 330, 400, 18
    height = row_h * len(relations) + 24
    parts = [f'<svg class="relations" width="{label_w + plot_w + 60}" height="{height}" '
             f'viewBox="0 0 {label_w + plot_w + 60} {height}" role="img" aria-label="accuracy per relation">']
    for i, rel in enumerate(relations):
        y = i * row_h + 4
        tip = f"{rel.name}: {rel.correct}/{rel.total} = {rel.accuracy * 100:.1f}% (Wilson 95% " \
              f"{rel.low * 100:.1f}–{rel.high * 100:.1f})"
        parts.append(f'<g><title>{escape(tip)}</title>'
                     f'<text x="{label_w - 6}" y="{y + 12}" text-anchor="end">{escape(rel.name[:48])}</text>'
                     f'<rect x="{label_w}" y="{y + 2}" width="{_x(rel.accuracy, plot_w)}" height="{row_h - 6}" '
                     f'class="bar"/>'
                     f'<line x1="{label_w + float(_x(rel.low, plot_w)):.1f}" y1="{y + 9}" '
                     f'x2="{label_w + float(_x(rel.high, plot_w)):.1f}" y2="{y + 9}" class="interval"/>'
                     f'<text x="{label_w + plot_w + 6}" y="{y + 12}">{rel.accuracy * 100:.1f}</text></g>')
    axis_y = row_h * len(relations) + 8
    parts.append(f'<line x1="{label_w}" y1="{axis_y}" x2="{label_w + plot_w}" y2="{axis_y}" class="axis"/>')
    for tick in (0, 25, 50, 75, 100):
        x = label_w + plot_w * tick / 100
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{tick}</text>')
    if overall is not None:
        x = label_w + float(_x(overall, plot_w))
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{axis_y}" class="overall"><title>all queries: '
                     f'{overall * 100:.1f}%</title></line>')
    parts.append("</svg>")
    return "".join(parts)
