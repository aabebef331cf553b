"""How a result labels its method: the options it read, scalar variants without the family prefix, v1 history."""

from __future__ import annotations

from fsre_bench.results.labels import V1_OPTION_KEYS, method_label, v1_options_read, variant_options

RUN_OPTIONS = {"proto_representation": "marker-start", "nota_threshold": 0.4, "proto_ft_steps": 100,
               "icl_batch_queries": True, "llm": {"endpoint": "local"}, "knowledge": "kb.jsonl"}


def test_v1_files_keep_what_each_method_read_then() -> None:
    assert v1_options_read("random", RUN_OPTIONS) == {}
    assert v1_options_read("proto", RUN_OPTIONS) == {"proto_representation": "marker-start", "nota_threshold": 0.4}
    assert v1_options_read("proto-ft", RUN_OPTIONS) == {"proto_representation": "marker-start", "nota_threshold": 0.4,
                                                        "proto_ft_steps": 100}  # "proto_ft_" is a prefix
    assert v1_options_read("icl", RUN_OPTIONS) == {"icl_batch_queries": True, "llm": {"endpoint": "local"}}
    assert v1_options_read("not-in-v1", RUN_OPTIONS) == RUN_OPTIONS  # unknown then: everything
    assert set(V1_OPTION_KEYS["tkre-no-scl"]) == set(V1_OPTION_KEYS["tkre"])


def test_variant_options_are_sorted_scalars_without_the_family_prefix() -> None:
    options = {"proto_representation": "marker-start", "nota_threshold": 0.4, "llm": {"endpoint": "local"},
               "proto_ft_steps": 100, "flag": False}
    assert variant_options(options, "proto-ft") == [("flag", "false"), ("ft_steps", "100"), ("nota_threshold", "0.4"),
                                                     ("representation", "marker-start")]
    assert variant_options({"icl_batch_queries": True}, "icl") == [("batch_queries", "true")]  # JSON booleans
    assert variant_options({}, "random") == []


def test_a_label_is_the_name_plus_its_variant_options() -> None:
    assert method_label("proto", []) == "proto"
    assert method_label("proto", [("representation", "marker-start")]) == "proto [representation=marker-start]"
    assert method_label("icl", variant_options({"icl_max_demos": 4, "icl_batch_queries": False}, "icl")) == \
        "icl [batch_queries=false, max_demos=4]"
