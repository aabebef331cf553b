"""Episode i of seed s depends on (protocol, s, i) alone, the same on every machine; seeds are range-checked."""

from __future__ import annotations

import pytest

from fsre_bench.cli.main import main
from fsre_bench.episodes.seeding import MAX_SEED, check_seed, episode_id, episode_rng, keyed_rng
from fsre_bench.errors import ConfigError
from tests.support.cli_helpers import fails_with_one_line, valid_run_argv


def test_an_episodes_generator_is_fixed_by_protocol_seed_and_index() -> None:
    draws = [episode_rng("episodic", 0, 7).random() for _ in range(2)]
    assert draws[0] == draws[1]
    # Pinned: a change here changes every committed episode file.
    assert episode_rng("episodic", 0, 0).getrandbits(32) == 2127593997
    others = {episode_rng(*key).random() for key in [("episodic", 0, 7), ("episodic", 1, 7), ("episodic", 0, 8),
                                                     ("natural-nota", 0, 7)]}
    assert len(others) == 4


def test_the_generator_is_sha256_of_the_key_not_pythons_hash() -> None:
    import hashlib
    import random

    digest = hashlib.sha256(b"fsre-bench/episodic/3/12").digest()
    expected = random.Random(int.from_bytes(digest[:8], "big")).random()
    assert episode_rng("episodic", 3, 12).random() == expected
    digest = hashlib.sha256(b"fsre-bench/13/Other").digest()
    assert keyed_rng(13, "Other").random() == random.Random(int.from_bytes(digest[:8], "big")).random()


def test_episode_ids_are_unique_across_seeds_and_sort_in_order() -> None:
    ids = [episode_id(seed, index) for seed in (0, 1) for index in (0, 9, 10, 99999)]
    assert ids[:2] == ["0-00000", "0-00009"] and len(set(ids)) == len(ids)
    assert sorted(ids) == ids


@pytest.mark.parametrize("seed", [-1, MAX_SEED + 1, True, 1.0, "3"])
def test_seeds_outside_what_every_generator_takes_are_refused(seed) -> None:
    with pytest.raises(ConfigError, match=r"--k-seeds .* is outside the seed range 0 \.\. 4294967295"):
        check_seed(seed, "--k-seeds")


def test_the_ends_of_the_range_are_accepted() -> None:
    check_seed(0)
    check_seed(MAX_SEED)


@pytest.mark.parametrize("seeds", ["-1", "12345678901234567890", "4294967296"])
def test_a_seed_outside_what_the_samplers_take_is_refused(capsys, tmp_path, seeds):
    argv = valid_run_argv(tmp_path / "out")
    argv[argv.index("--seeds") + 1] = seeds
    fails_with_one_line(capsys, argv, "--seeds", seeds, "0 .. 4294967295")


def test_the_largest_seed_is_accepted(capsys, tmp_path):
    argv = valid_run_argv(tmp_path / "out")
    argv[argv.index("--seeds") + 1] = "4294967295"
    assert main(argv) == 0, capsys.readouterr().err


def test_episodes_build_checks_its_seed_too(capsys, tmp_path):
    fails_with_one_line(capsys, ["episodes", "build", "--dataset", "fewrel/val_semeval", "--seed", "-5",
                                 "--out", str(tmp_path / "e.jsonl")], "--seed", "-5")

