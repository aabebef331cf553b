"""The versioned result-file schema: what ``run`` writes and ``leaderboard``/``report``/``plot`` read."""

from fsre_bench.results.schema import (
    RESULT_KIND,
    RESULT_SCHEMA_VERSION,
    load_result,
    validate_result,
    write_result,
)

__all__ = ["RESULT_KIND", "RESULT_SCHEMA_VERSION", "load_result", "validate_result", "write_result"]
