"""A method's registry entry: side information fixed or computed from the run, and one entry per ablation."""

from __future__ import annotations

from fsre_bench.methods.options import MethodOption
from fsre_bench.methods.registry import method_specs
from fsre_bench.methods.spec import NAMES_AND_DESCRIPTIONS, NO_SIDE_INFORMATION, Ablation, MethodSpec


def _reads_descriptions(spec: MethodSpec, options, protocol: str) -> str:
    return NAMES_AND_DESCRIPTIONS if options.get("toy_describe") and protocol != "kshot" else NO_SIDE_INFORMATION


TOY = MethodSpec(name="toy", target="toy.module:Toy", summary="a toy", reads=("toy_",),
                 options=(MethodOption("toy_describe", bool),), side_information=_reads_descriptions,
                 ablations=(Ablation("toy-no-x", "without x", {"use_x": False}), Ablation("toy-plain", "plain")),
                 arguments={"use_x": True}, recipe="2")


def test_side_information_is_the_declared_text_or_the_function_of_the_run() -> None:
    assert MethodSpec(name="a", target="m:A", summary="").side_information_for({}, "episodic") == NO_SIDE_INFORMATION
    assert TOY.side_information_for({"toy_describe": True}, "episodic") == NAMES_AND_DESCRIPTIONS
    assert TOY.side_information_for({"toy_describe": True}, "kshot") == NO_SIDE_INFORMATION
    assert TOY.side_information_for({}, "episodic") == NO_SIDE_INFORMATION


def test_an_ablation_is_the_family_with_its_own_name_summary_and_arguments() -> None:
    no_x, plain = TOY.variant_specs()
    assert (no_x.name, no_x.summary, dict(no_x.arguments), no_x.family) == ("toy-no-x", "without x", {"use_x": False},
                                                                           "toy")
    assert dict(plain.arguments) == {}  # an ablation's arguments replace the family's, they are not merged
    for variant in (no_x, plain):
        assert (variant.target, variant.options, variant.reads, variant.recipe) == (TOY.target, TOY.options, TOY.reads,
                                                                                    "2")
        assert variant.ablations == () and variant.variant_specs() == []
    assert TOY.family is None and TOY.ablations  # the family entry itself is unchanged


def test_the_registered_ablations_are_the_variants_of_their_family() -> None:
    specs = method_specs()
    variants = {spec.name: spec for family in specs.values() for spec in family.variant_specs()}
    assert {"tkre-no-mslm", "tkre-no-scl", "tkre-no-synth", "tkre-no-knowledge"} <= set(variants)
    for name, variant in variants.items():
        assert specs[name] == variant and variant.family in specs
