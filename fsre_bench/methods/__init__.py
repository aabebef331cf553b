"""The Method protocol every method implements, its registry entry (MethodSpec) and the registry."""

from fsre_bench.methods.interface import Method, MethodConfig
from fsre_bench.methods.options import MethodOption
from fsre_bench.methods.registry import available_methods, create_method, method_spec, resolve_method_class
from fsre_bench.methods.spec import Ablation, MethodSpec

__all__ = ["Ablation", "Method", "MethodConfig", "MethodOption", "MethodSpec", "available_methods", "create_method",
           "method_spec", "resolve_method_class"]
