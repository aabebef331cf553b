"""Failed LLM requests: counted over seeds with the first error, and a share above the limit is one line."""

from __future__ import annotations

from fsre_bench.runner.request_failures import failure_share_error, failure_summary, first_error
from fsre_bench.runner.seed_log import SeedLogSummary

FAILED = {"gold": ["a", "b", "c"], "failures": 2, "details": [{"ok": True}, {"error": "HTTP 503:\n  overloaded"}]}
SEEDS = [SeedLogSummary(n_queries=5, failures=2, first_error=first_error(FAILED)),
         SeedLogSummary(n_queries=1, failures=1, first_error=None)]


def test_failures_are_summed_over_seeds_with_the_first_error_on_one_line() -> None:
    assert failure_summary(SEEDS) == {"failed_queries": 3, "queries": 6, "share": 0.5,
                                      "first_error": "HTTP 503: overloaded"}
    assert first_error({"gold": ["a"], "failures": 1}) == "(no error message recorded)"
    assert failure_summary([]) == {"failed_queries": 0, "queries": 0, "share": 0.0, "first_error": None}


def test_a_share_above_the_limit_is_one_line_and_within_it_none() -> None:
    summary = failure_summary(SEEDS)
    line = failure_share_error(summary, 0.2)
    assert line is not None and "\n" not in line
    assert line.startswith("3 of 6 queries' LLM requests failed (50%, above the 20% limit); first error: HTTP 503")
    assert failure_share_error(summary, 0.5) is None  # at the limit is within it
    assert failure_share_error(None, 0.0) is None

