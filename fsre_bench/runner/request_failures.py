"""Queries whose LLM request failed: counted into the result, and a run above the limit fails loudly.

A run where every request failed (the endpoint died) used to end ``done`` with accuracy 0.00 and
exit 0. Now the result records how many failed and the first error, the run exits 2 when the
share is above ``max_failure_share``, and a plain rerun retries exactly those requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DEFAULT_MAX_FAILURE_SHARE = 0.2


def failure_summary(seeds: Sequence[Any]) -> dict[str, Any]:
    """Failed and total queries over all seeds, their share, and the first error message seen.

    ``seeds``: each seed's ``SeedLogSummary`` (runner/seed_log.py), which counted them in its one pass.
    """
    failed = sum(seed.failures for seed in seeds)
    queries = sum(seed.n_queries for seed in seeds)
    first = next((seed.first_error for seed in seeds if seed.first_error is not None), None)
    return {"failed_queries": failed, "queries": queries, "share": round(failed / queries, 6) if queries else 0.0,
            "first_error": first}


def failure_share_error(summary: dict[str, Any] | None, limit: float) -> str | None:
    """The one line (the CLI prefixes method and setting) for a share above ``limit``; None within it."""
    if not summary or summary["share"] <= limit:
        return None
    return (f"{summary['failed_queries']} of {summary['queries']} queries' LLM requests failed "
            f"({summary['share']:.0%}, above the {limit:.0%} limit); first error: {summary['first_error']}; "
            "the result records them and rerunning the same command retries exactly those")


def first_error(record: dict[str, Any]) -> str:
    """A failed record's first error message, one line of at most 300 characters."""
    for detail in record.get("details") or ():
        if isinstance(detail, dict) and detail.get("error"):
            return " ".join(str(detail["error"]).split())[:300]
    return "(no error message recorded)"
