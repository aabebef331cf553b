"""A chosen method resolved once per run: its registry entry and what this run asks of it (HELM's RunSpec).

The runner resolves every chosen method when it plans the run and hands the ``ResolvedMethod`` on:
units, the hash of the method's config, the Ray task's resources and the result's method block read it,
never the registry again. What it holds depends only on the run's settings (protocol, NOTA, method
options, device), all known before any data is loaded, so the plan checks every method's requirements
before the first unit starts.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fsre_bench.methods.options import select_options
from fsre_bench.methods.spec import MethodSpec


@dataclass(frozen=True)
class ResolvedMethod:
    """One method of one run. ``requires_train``: it fits or calibrates on training relations in this run;
    ``requires_llm``: it reads the run's ``llm`` settings; ``needs_gpu``: it trains weights on a CUDA device."""

    spec: MethodSpec
    # (key, value) pairs, JSON-ready, in the run's order: a tuple, so the object stays immutable and pickles
    # (a Ray task carries it); ``options_read`` gives each reader its own copy.
    read_options: tuple[tuple[str, Any], ...]
    side_information: str
    requires_train: bool
    requires_llm: bool
    needs_gpu: bool

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def family(self) -> str | None:
        """The method an ablation variant ablates (None for a method that is no variant)."""
        return self.spec.family

    @property
    def options_read(self) -> dict[str, Any]:
        """The run's method options the method declares it reads (recorded in its result, hashed in its key)."""
        return copy.deepcopy(dict(self.read_options))


def resolve_method(spec: MethodSpec, *, method_options: Mapping[str, Any], recorded_options: dict[str, Any],
                   protocol: str, has_nota: bool, device: str) -> ResolvedMethod:
    """``spec`` for a run with these settings; ``recorded_options`` are ``method_options`` made JSON-ready."""
    return ResolvedMethod(
        spec=spec,
        read_options=tuple(select_options(spec.reads, recorded_options).items()),
        side_information=spec.side_information_for(method_options, protocol),
        requires_train=_requires_train(spec, method_options, protocol, has_nota),
        requires_llm=spec.uses_llm,
        needs_gpu=spec.trains_weights and device.startswith("cuda"),
    )


def _requires_train(spec: MethodSpec, options: Mapping[str, Any], protocol: str, has_nota: bool) -> bool:
    """Episodic protocols: the spec's ``requires_train``, or, where the setting has NOTA, a method that calibrates
    a NOTA threshold on training relations (a ``nota_threshold`` option left unset)."""
    if protocol == "kshot":
        return False  # K-shot methods train on the K-shot split itself
    calibrates = has_nota and options.get("nota_threshold") is None
    return spec.requires_train or (calibrates and any(o.name == "nota_threshold" for o in spec.options))
