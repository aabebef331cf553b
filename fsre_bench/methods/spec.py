"""A method's registry entry: where its class is, what options it declares and reads, its ablations.

A package registers a method by pointing an ``fsre_bench.methods`` entry point at a ``MethodSpec``
(a small, import-light object): ``run --help`` shows the spec's options under the method's name,
``ablate <name>`` runs the spec's ablations, and the class module is imported only when the
method is built, so ``--help`` and ``ls`` never load torch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fsre_bench.methods.options import MethodOption

# What a method reads about the evaluation relations beyond their support sentences; the leaderboard
# prints it, because a method that reads relation descriptions answers an easier task.
NO_SIDE_INFORMATION = "none"
NAMES_AND_DESCRIPTIONS = "names + descriptions"


@dataclass(frozen=True)
class Ablation:
    """One ablation variant: its own method name, built as the family's class with ``arguments``."""

    name: str
    summary: str
    arguments: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MethodSpec:
    """How to build a method (``target(config, **arguments)``) and what it takes.

    ``reads`` lists the option keys that enter the method's config hash (an entry ending in ``_``
    is a prefix); ``None`` hashes every option (safe, never stale). ``options`` are the flags shown
    for the method; every one of them must be read. ``uses_llm``: it reads the ``llm`` option that
    the shared ``--llm*`` flags build. ``trains_weights``: it fits model weights, so under
    ``--device cuda`` its Ray task asks for a GPU (frozen methods ask for one CPU). ``requires_train``: see below. ``recipe``: see below.
    """

    name: str
    target: str  # "module:Class"
    summary: str
    options: tuple[MethodOption, ...] = ()
    reads: tuple[str, ...] | None = None
    uses_llm: bool = False
    trains_weights: bool = False
    # It fits on training relations in episodic protocols (``--train``, or FewRel's own by default on a FewRel
    # split): the runner checks this for every chosen method before the first unit starts.
    requires_train: bool = False
    ablations: tuple[Ablation, ...] = ()
    arguments: Mapping[str, Any] = field(default_factory=dict)
    family: str | None = None  # set on an ablation's entry: the method it ablates
    # The version of what the method does with the same options: bumped when its code changes its
    # predictions (a new default behaviour, not a new option), so results of the old recipe are
    # recomputed instead of reused. It enters the config hash only when set.
    recipe: str = ""
    # a fixed answer, or a function of (this entry, the run's method options, the protocol)
    side_information: str | Callable[[MethodSpec, Mapping[str, Any], str], str] = NO_SIDE_INFORMATION

    def side_information_for(self, options: Mapping[str, Any], protocol: str) -> str:
        declared = self.side_information
        return declared if isinstance(declared, str) else declared(self, options, protocol)

    def variant_specs(self) -> list[MethodSpec]:
        """One registry entry per ablation: the family's class, options and reads, plus the variant's arguments."""
        return [replace(self, name=ablation.name, summary=ablation.summary, arguments=ablation.arguments,
                        ablations=(), family=self.name) for ablation in self.ablations]
