"""The method registry: ``MethodSpec`` entries found through the ``fsre_bench.methods`` entry points.

Built-in methods register exactly as third-party packages do (pyproject.toml), so the harness
imports no method. Entry points are read once per process; a method's module is imported only
when that method is built, so ``--help`` and ``ls`` never import torch.
"""

from __future__ import annotations

import difflib
import functools
import importlib
from importlib.metadata import EntryPoint, entry_points

from fsre_bench.errors import ConfigError
from fsre_bench.methods.interface import Method, MethodConfig
from fsre_bench.methods.spec import MethodSpec

ENTRY_POINT_GROUP = "fsre_bench.methods"


@functools.cache
def method_specs() -> dict[str, MethodSpec]:
    """Every registered method and ablation variant by name."""
    specs: dict[str, MethodSpec] = {}
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        spec = _spec_of(ep)
        for entry in (spec, *spec.variant_specs()):
            if entry.name in specs:
                raise ConfigError(f"method {entry.name!r} is registered twice (entry point {ep.value})")
            specs[entry.name] = entry
    return specs


def _spec_of(ep: EntryPoint) -> MethodSpec:
    """A ``MethodSpec``, or (older third-party style) a method class, whose ``option_keys`` become its reads."""
    try:
        loaded = ep.load()
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"method entry point {ep.name} = {ep.value!r} does not load ({exc})") from None
    if isinstance(loaded, MethodSpec):
        if loaded.name != ep.name:
            raise ConfigError(f"method entry point {ep.name!r} names a spec called {loaded.name!r}")
        return loaded
    summary = (loaded.__doc__ or "").strip().splitlines()[0] if loaded.__doc__ else ""
    dist = ep.dist.name if ep.dist else "entry point"
    return MethodSpec(name=ep.name, target=ep.value, summary=summary or f"third-party ({dist})",
                      reads=getattr(loaded, "option_keys", None))


def available_methods() -> dict[str, tuple[str, str]]:
    """name -> ("module:Class", one-line summary), for ``ls methods``."""
    return {name: (spec.target, spec.summary) for name, spec in method_specs().items()}


def method_spec(name: str) -> MethodSpec:
    """The entry for ``name``; an unknown name fails with a did-you-mean, before any work starts."""
    specs = method_specs()
    if name in specs:
        return specs[name]
    if not specs:
        raise ConfigError("no methods are registered: fsre-bench is not installed in this environment "
                          "(run scripts/setup.sh, or `pip install -e .`, so its entry points exist)")
    close = difflib.get_close_matches(name, specs, n=3, cutoff=0.5)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    raise ConfigError(f"unknown method {name!r}.{hint} (`fsre-bench ls methods` lists them)")


def resolve_method_class(name: str) -> type:
    return method_class(method_spec(name))


def method_class(spec: MethodSpec) -> type:
    """The class ``spec.target`` names, importing its module (the first import of torch-heavy code)."""
    module_name, _, attr = spec.target.partition(":")
    module = importlib.import_module(module_name)
    try:
        return getattr(module, attr)
    except AttributeError as exc:
        raise ConfigError(f"method {spec.name!r}: {module_name} has no attribute {attr!r}") from exc


def create_method(name: str, config: MethodConfig) -> Method:
    return build_method(method_spec(name), config)


def build_method(spec: MethodSpec, config: MethodConfig) -> Method:
    """``spec``'s class built with ``config`` and the entry's arguments (a run builds from its resolved entry)."""
    method = method_class(spec)(config, **spec.arguments)
    if not isinstance(method, Method):
        raise ConfigError(f"method {spec.name!r} does not implement the Method protocol (name, meta, fit, predict, close)")
    return method


def ablation_families() -> dict[str, MethodSpec]:
    """Methods that declare ablations, by name (``fsre-bench ablate <name>``)."""
    return {name: spec for name, spec in method_specs().items() if spec.ablations}
