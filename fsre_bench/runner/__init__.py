"""The benchmark runner: plan, run methods with resume, assemble result files."""

from fsre_bench.runner.config import KSHOT_SEEDS, RunConfig
from fsre_bench.runner.runner import UNPARSED, UnitOutcome, run

__all__ = ["KSHOT_SEEDS", "UNPARSED", "RunConfig", "UnitOutcome", "run"]
