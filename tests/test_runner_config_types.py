"""Run settings declared once on the fields: flags named from them, defaults read from them, YAML values checked."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields

import pytest

from fsre_bench.errors import ConfigError
from fsre_bench.runner.config_types import checked_settings, declared_settings, field_default, setting


@dataclass
class _Toy:
    name: str = setting("str", "what it is called")
    n_query: int | None = setting("int", minimum=1, default=None)
    seeds: list[int] = setting("int_list", flag="--seed", default_factory=lambda: [0])
    methods: list[str] = setting("str_list", default_factory=list)
    rate: float = setting("number", default=0.0)
    fast: bool = setting("switch", default=False)
    options: dict = setting("mapping", flag=None, default_factory=dict)


def test_flags_are_named_from_the_field_unless_declared() -> None:
    flags = {f.name: info.flag for f, info in declared_settings(_Toy)}
    assert flags == {"name": "--name", "n_query": "--n-query", "seeds": "--seed", "methods": "--methods",
                     "rate": "--rate", "fast": "--fast", "options": None}
    assert dict((f.name, info.minimum) for f, info in declared_settings(_Toy))["n_query"] == 1


def test_a_field_without_a_declaration_or_with_an_unknown_kind_is_an_error() -> None:
    @dataclass
    class Undeclared:
        x: int = field(default=0)

    with pytest.raises(TypeError, match=r"Undeclared\.x has no setting\(\.\.\.\) declaration"):
        list(declared_settings(Undeclared))
    with pytest.raises(ValueError, match=r"setting kind 'float' is not one of"):
        setting("float")


def test_defaults_call_their_factory_and_required_fields_are_missing() -> None:
    defaults = {f.name: field_default(f) for f in fields(_Toy)}
    assert defaults == {"name": MISSING, "n_query": None, "seeds": [0], "methods": [], "rate": 0.0, "fast": False,
                        "options": {}}


def test_yaml_values_are_made_lists_and_checked() -> None:
    data = {"name": "x", "seeds": 3, "methods": "a, b", "rate": 1, "n_query": None, "fast": True}
    assert checked_settings(_Toy, data, "run.yaml") == {**data, "seeds": [3], "methods": ["a", "b"]}
    assert checked_settings(_Toy, {"name": "x", "methods": ["a", 3]}, "c")["methods"] == ["a", "3"]


@pytest.mark.parametrize(("data", "message"), [
    ({}, "run.yaml: the setting 'name' is required"),
    ({"name": None}, "run.yaml: the setting 'name' is required"),
    ({"name": 5}, "run.yaml: setting 'name' must be a string, got 5 (int)"),
    ({"name": "x", "n_query": True}, "setting 'n_query' must be an integer, got True (bool)"),
    ({"name": "x", "rate": "fast"}, "setting 'rate' must be a number, got 'fast' (str)"),
    ({"name": "x", "fast": "yes"}, "setting 'fast' must be true or false, got 'yes' (str)"),
    ({"name": "x", "options": [1]}, "setting 'options' must be a mapping of option: value, got [1] (list)"),
    ({"name": "x", "seeds": [1, "2"]}, "setting 'seeds' must be a list of integers, got [1, '2'] (list)"),
    ({"name": "x", "methods": [["a"]]}, "setting 'methods' must be a list of strings, got [['a']] (list)"),
    ({"name": "x", "fast": None}, "setting 'fast' must be true or false, got None (NoneType)"),  # not optional
])
def test_a_value_of_the_wrong_type_is_one_line_naming_the_setting(data, message) -> None:
    with pytest.raises(ConfigError) as caught:
        checked_settings(_Toy, data, "run.yaml")
    assert message in str(caught.value)


def test_a_comma_list_is_read_as_its_flag_reads_it_for_integer_lists_too() -> None:
    given = checked_settings(_Toy, {"name": "x", "seeds": "0, 1,2", "methods": "a,,b,"}, "run.yaml")
    assert (given["seeds"], given["methods"]) == ([0, 1, 2], ["a", "b"])  # `seeds: 0,1,2` as `--seeds 0,1,2`
    assert checked_settings(_Toy, {"name": "x", "seeds": "7"}, "c")["seeds"] == [7]
    with pytest.raises(ConfigError, match=r"^run.yaml: setting 'seeds' must be a list of integers, got '0,x' \(str\)$"):
        checked_settings(_Toy, {"name": "x", "seeds": "0,x"}, "run.yaml")


def test_the_flags_and_the_yaml_reader_split_lists_by_one_rule() -> None:
    from fsre_bench.cli.config_flags import parse_ints
    from fsre_bench.runner.config_types import comma_ints, comma_list

    assert comma_list(" 5-1, ,10-5,") == ["5-1", "10-5"] and comma_ints("13, 21") == [13, 21] == parse_ints("13,21", "--k")
    with pytest.raises(ConfigError, match=r"^--seeds takes comma-separated integers, got '1,a'$"):
        parse_ints("1,a", "--seeds")
