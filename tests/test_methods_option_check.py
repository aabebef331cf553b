"""Method options nobody reads are errors with a did-you-mean; options only other methods read are a note."""

from __future__ import annotations

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.methods.option_check import check_method_options
from fsre_bench.methods.registry import method_specs


def _chosen(*names: str) -> list:
    specs = method_specs()
    return [specs[name] for name in names]


def test_declared_options_and_prefixed_ones_of_a_chosen_method_pass_silently() -> None:
    options = {"proto_representation": "marker-start", "nota_threshold": 0.3}
    assert check_method_options(_chosen("proto"), options) == []
    assert check_method_options(_chosen("proto-ft"), {"proto_ft_warmup": 10}) == []  # under the proto_ft_ prefix
    assert check_method_options(_chosen("icl"), {"llm": {"endpoint": "local"}}) == []
    assert check_method_options(_chosen("random"), {}) == []


def test_an_option_only_another_method_reads_is_a_note_naming_the_readers() -> None:
    (note,) = check_method_options(_chosen("proto", "random"), {"icl_max_demos": 4})
    assert note == ("note: option 'icl_max_demos' is read by icl, not by proto, random; it changes nothing in this run")
    (knowledge,) = check_method_options(_chosen("proto"), {"knowledge": "kb.jsonl"})
    assert "is read by finetune-synth, tkre" in knowledge and "tkre-no-scl" in knowledge


def test_a_near_miss_of_a_declared_option_is_a_typo_even_under_a_read_prefix() -> None:
    with pytest.raises(ConfigError, match=r"^unknown method option 'icl_max_demo'\. Did you mean 'icl_max_demos'\?$"):
        check_method_options(_chosen("icl"), {"icl_max_demo": 4})


def test_an_option_no_method_reads_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        check_method_options(_chosen("proto"), {"bogus_key": 3})
    message = str(caught.value)
    assert message.startswith("unknown method option 'bogus_key': no method reads it (chosen: proto).")
    assert "Known options: " in message and "proto_representation" in message and "icl_*" in message
    with pytest.raises(ConfigError, match=r"Did you mean 'proto_representation'"):
        check_method_options(_chosen("random"), {"proto_represent": "x"})
