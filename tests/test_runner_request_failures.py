"""Failed LLM requests: counted over seeds with the first error, and a share above the limit is one line."""

from __future__ import annotations

from fsre_bench.runner.request_failures import failure_share_error, failure_summary, result_failures

SEEDS = [[{"gold": ["a", "b"], "failures": 0},
          {"gold": ["a", "b", "c"], "failures": 2, "details": [{"ok": True}, {"error": "HTTP 503:\n  overloaded"}]}],
         [{"gold": ["a"], "failures": 1}]]


def test_failures_are_summed_over_seeds_with_the_first_error_on_one_line() -> None:
    assert failure_summary(SEEDS) == {"failed_queries": 3, "queries": 6, "share": 0.5,
                                      "first_error": "HTTP 503: overloaded"}
    assert failure_summary([[{"gold": ["a"], "failures": 1}]])["first_error"] == "(no error message recorded)"
    assert failure_summary([]) == {"failed_queries": 0, "queries": 0, "share": 0.0, "first_error": None}


def test_a_share_above_the_limit_is_one_line_and_within_it_none() -> None:
    summary = failure_summary(SEEDS)
    line = failure_share_error(summary, 0.2)
    assert line is not None and "\n" not in line
    assert line.startswith("3 of 6 queries' LLM requests failed (50%, above the 20% limit); first error: HTTP 503")
    assert failure_share_error(summary, 0.5) is None  # at the limit is within it
    assert failure_share_error(None, 0.0) is None


def test_a_results_failures_are_its_seed_rows() -> None:
    assert result_failures({"per_seed": [{"failures": 2}, {"failures": None}, {}]}) == 2
    assert result_failures({}) == 0
