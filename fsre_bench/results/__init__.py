"""The result-file layer: schema, the one result class (``ResultFile``), predictions logs, scoring units and labels.

The runner writes through it and the reports read through it; reports import nothing else of the
runner or of any method.
"""

from fsre_bench.results.counts import negative_labels, unit_counts
from fsre_bench.results.model import (
    EXTERNAL,
    PRIMARY_METRIC,
    ResultFile,
    external_label,
    method_block,
)
from fsre_bench.results.predictions import LOG_FORMAT, read_predictions_log
from fsre_bench.results.schema import (
    RESULT_KIND,
    RESULT_SCHEMA_VERSION,
    SUPPORTED_VERSIONS,
    validate_result,
)

__all__ = [
    "EXTERNAL",
    "LOG_FORMAT",
    "PRIMARY_METRIC",
    "RESULT_KIND",
    "RESULT_SCHEMA_VERSION",
    "SUPPORTED_VERSIONS",
    "ResultFile",
    "external_label",
    "method_block",
    "negative_labels",
    "read_predictions_log",
    "unit_counts",
    "validate_result",
]
