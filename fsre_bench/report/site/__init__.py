"""The static leaderboard site (``fsre-bench leaderboard --site DIR``): views, inline SVG charts, jinja2 pages."""

from fsre_bench.report.site.build import build_site

__all__ = ["build_site"]
