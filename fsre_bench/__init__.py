"""fsre-bench: an honest benchmark harness for few-shot relation extraction."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """Lazy: ``import fsre_bench`` must not import pandas; ``fsre_bench.load_results`` does."""
    if name == "load_results":
        from fsre_bench.report.frame import load_results

        return load_results
    raise AttributeError(f"module 'fsre_bench' has no attribute {name!r}")
