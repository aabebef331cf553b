"""fsre-bench: an honest benchmark harness for few-shot relation extraction."""

__version__ = "0.1.0"
