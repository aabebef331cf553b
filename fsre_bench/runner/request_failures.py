"""Queries whose LLM request failed: counted into the result, and a run above the limit fails loudly.

A run where every request failed (the endpoint died) used to end ``done`` with accuracy 0.00 and
exit 0. Now the result records how many failed and the first error, the run exits 2 when the
share is above ``max_failure_share``, and a plain rerun retries exactly those requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

DEFAULT_MAX_FAILURE_SHARE = 0.2


def failure_summary(records_per_seed: Sequence[Sequence[dict[str, Any]]]) -> dict[str, Any]:
    """Failed and total queries over all seeds, their share, and the first error message seen."""
    failed = queries = 0
    first_error: str | None = None
    for records in records_per_seed:
        for record in records:
            queries += len(record["gold"])
            failed += int(record.get("failures") or 0)
            if first_error is None and record.get("failures"):
                first_error = _first_error(record)
    return {"failed_queries": failed, "queries": queries, "share": round(failed / queries, 6) if queries else 0.0,
            "first_error": first_error}


def result_failures(result: dict[str, Any]) -> int:
    """Failed queries a result file holds (``per_seed`` failures; files of any age have them)."""
    return sum(int(row.get("failures") or 0) for row in result.get("per_seed", ()))


def failure_share_error(summary: dict[str, Any] | None, limit: float) -> str | None:
    """The one line (the CLI prefixes method and setting) for a share above ``limit``; None within it."""
    if not summary or summary["share"] <= limit:
        return None
    return (f"{summary['failed_queries']} of {summary['queries']} queries' LLM requests failed "
            f"({summary['share']:.0%}, above the {limit:.0%} limit); first error: {summary['first_error']}; "
            "the result records them and rerunning the same command retries exactly those")


def _first_error(record: dict[str, Any]) -> str:
    for detail in record.get("details") or ():
        if isinstance(detail, dict) and detail.get("error"):
            return " ".join(str(detail["error"]).split())[:300]
    return "(no error message recorded)"
