"""Settings: ``5-1``, ``10-way-5-shot``, ``5-1-q3-na0.15`` parsed, named and round-tripped; bad ones refused."""

from __future__ import annotations

import pytest

from fsre_bench.episodes import EpisodeSetting, parse_setting
from fsre_bench.errors import ConfigError


def test_parse_setting_round_trip_and_errors() -> None:
    assert parse_setting("5-1") == EpisodeSetting(5, 1)
    assert parse_setting("10-way-5-shot") == EpisodeSetting(10, 5)
    full = parse_setting("5-1-q3-na0.15")
    assert (full.n_query, full.na_rate, full.name) == (3, 0.15, "5-1-q3-na0.15")
    assert parse_setting(full.name) == full
    assert parse_setting("5-5", n_query=2, na_rate=0.5).name == "5-5-q2-na0.5"
    assert EpisodeSetting(5, 1).resolved("natural-nota").n_query == 3
    assert EpisodeSetting(5, 1).resolved("episodic").n_query == 1
    for bad in ("5", "5-x", "five-one", "5-0"):
        with pytest.raises(ConfigError):
            parse_setting(bad)
    with pytest.raises(ConfigError, match="share of NOTA"):
        parse_setting("5-1", na_rate=1.0)
