"""The Method protocol every method implements, and the lazy registry that finds them."""

from fsre_bench.methods.protocol import Method, MethodConfig
from fsre_bench.methods.registry import available_methods, create_method, resolve_method_class

__all__ = ["Method", "MethodConfig", "available_methods", "create_method", "resolve_method_class"]
