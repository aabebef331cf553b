"""The site's inline SVG: a CI bar per cell and a bar per relation, clamped to the axis, numbers in tooltips."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from fsre_bench.report.site.svg import BAR_WIDTH, ci_bar, relation_chart
from fsre_bench.report.site.views import RelationView

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_a_ci_bar_draws_the_interval_and_the_mean_on_a_0_to_100_axis() -> None:
    root = _parse(ci_bar(0.5, 0.25, 0.75, "proto 5-1"))
    assert root.find(f"{SVG}title").text == "proto 5-1: 50.00 (95% CI 25.00–75.00)"
    interval = [line.attrib for line in root.findall(f"{SVG}line") if line.get("class") == "interval"]
    assert (interval[0]["x1"], interval[0]["x2"]) == (f"{0.25 * BAR_WIDTH:.1f}", f"{0.75 * BAR_WIDTH:.1f}")
    assert root.find(f"{SVG}circle").get("cx") == f"{0.5 * BAR_WIDTH:.1f}"


def test_a_cell_without_an_interval_is_a_dot_and_values_off_the_axis_are_clamped() -> None:
    root = _parse(ci_bar(0.2, None, None, "icl <5-1> & co"))
    assert root.find(f"{SVG}title").text == "icl <5-1> & co: 20.00 (no interval)"  # escaped, so it parses
    assert [line.get("class") for line in root.findall(f"{SVG}line")] == ["axis"]
    clamped = _parse(ci_bar(1.2, -0.1, 1.5, "x"))
    xs = {line.get("x1") for line in clamped.findall(f"{SVG}line") if line.get("class") == "interval"}
    assert xs == {"0.0", f"{BAR_WIDTH:.1f}"} and clamped.find(f"{SVG}circle").get("cx") == f"{BAR_WIDTH:.1f}"
    assert ci_bar(0.5, 0.25, 0.75, "a") == ci_bar(0.5, 0.25, 0.75, "a")  # byte-identical on rebuild


def test_a_relation_chart_has_a_bar_and_tooltip_per_relation_and_the_overall_line() -> None:
    relations = [RelationView("place of birth (P19)", 3, 4, 0.75, 0.3, 0.95), RelationView("NOTA", 1, 4, 0.25, 0.05,
                                                                                            0.7)]
    root = _parse(relation_chart(relations, overall=0.5))
    groups = root.findall(f"{SVG}g")
    assert [g.find(f"{SVG}title").text for g in groups] == [
        "place of birth (P19): 3/4 = 75.0% (Wilson 95% 30.0–95.0)", "NOTA: 1/4 = 25.0% (Wilson 95% 5.0–70.0)"]
    assert [g.find(f"{SVG}rect").get("width") for g in groups] == ["300.0", "100.0"]  # of a 400 px plot
    overall = [line for line in root.findall(f"{SVG}line") if line.get("class") == "overall"]
    assert len(overall) == 1 and overall[0].get("x1") == f"{330 + 200:.1f}"
    assert int(root.get("height")) == 18 * 2 + 24
    assert "overall" not in relation_chart(relations, overall=None)
    assert re.findall(r">(\d+)</text>", relation_chart([], None)) == ["0", "25", "50", "75", "100"]
