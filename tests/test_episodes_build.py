"""The episode builder's request checks: protocol, sampler, count, NOTA rate and small-relation policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from fsre_bench.data import load_dataset
from fsre_bench.episodes import build_episodes, parse_setting
from fsre_bench.errors import ConfigError

FIXTURES = Path(__file__).parent / "fixtures" / "data"


def test_bad_requests() -> None:
    tiny = load_dataset(str(FIXTURES / "fewrel_named.json"))
    setting = parse_setting("2-1")
    with pytest.raises(ConfigError, match="unknown protocol"):
        build_episodes(tiny, protocol="fewrel", setting=setting, seed=0, n_episodes=1)
    with pytest.raises(ConfigError, match="sample_kshot_split"):
        build_episodes(tiny, protocol="kshot", setting=setting, seed=0, n_episodes=1)
    with pytest.raises(ConfigError, match="unknown sampler"):
        build_episodes(tiny, protocol="episodic", setting=setting, seed=0, n_episodes=1, sampler="fast")
    with pytest.raises(ConfigError, match="n_episodes"):
        build_episodes(tiny, protocol="episodic", setting=setting, seed=0, n_episodes=0)
    with pytest.raises(ConfigError, match="drop na_rate"):
        build_episodes(
            tiny, protocol="natural-nota", setting=parse_setting("2-1", na_rate=0.5), seed=0, n_episodes=1
        )
    with pytest.raises(ConfigError, match="small_relations"):
        build_episodes(
            tiny, protocol="episodic", setting=setting, seed=0, n_episodes=1, small_relations="drop"
        )
