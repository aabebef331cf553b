"""What a result says about itself: harness states, mixed/dirty provenance, training variance, training splits."""

from __future__ import annotations

import json

from fsre_bench.results.flags import (
    UNKNOWN_STATE,
    assembled_by,
    degenerate,
    harness_state,
    is_dirty,
    is_mixed,
    provenance_states,
    side_information,
    training_splits,
    training_variance_measured,
)
from tests.support.report_fixtures import FEWREL_5_1, result_file


def _result(**fields) -> dict:
    base = {"method": {"type": "metric", "training_relations": [], "training_data": None},
            "seeds": [0], "per_seed": [{"seed": 0}], "protocol": "episodic", "setting": {}}
    return {**base, **fields}


def test_harness_state_names_version_short_hash_and_dirt() -> None:
    assert harness_state({"version": "0.1.0", "git_hash": "82e453d5c0ffee", "git_dirty": False}) == "0.1.0 git 82e453d5"
    assert harness_state({"version": "0.1.0", "git_hash": "82e453d5c0ffee", "git_dirty": True}) == "0.1.0 git 82e453d5+dirty"
    assert harness_state({"version": "0.1.0"}) == "0.1.0"  # installed without git
    assert harness_state(None) == harness_state({}) == harness_state({"git_hash": "ab"}) == UNKNOWN_STATE


def test_a_result_without_provenance_is_mixed_not_clean() -> None:
    old = _result()
    assert provenance_states(old) == [UNKNOWN_STATE] and is_mixed(old) and not is_dirty(old)
    one = _result(provenance={"states": ["0.1.0 git 82e453d5"]})
    assert not is_mixed(one) and not is_dirty(one)
    two = _result(provenance={"states": ["0.1.0 git 82e453d5", "0.1.0 git 11111111+dirty"]})
    assert is_mixed(two) and is_dirty(two)


def test_a_v1_fixture_reads_as_unknown_provenance_assembled_by_its_harness() -> None:
    result = json.loads(result_file(FEWREL_5_1 / "proto").read_text())
    assert is_mixed(result) and degenerate(result) is None and side_information(result) is None
    assert assembled_by(result) == "0.1.0 git 4d2c44f7+dirty"


def test_training_variance_is_measured_by_more_than_one_seed_of_a_trained_method() -> None:
    trained = {"type": "trained", "training_relations": ["r"], "training_data": "fewrel/train_wiki"}
    assert not training_variance_measured(_result(method=trained, seeds=[0]))
    assert training_variance_measured(_result(method=trained, seeds=[0, 1]))
    assert training_variance_measured(_result(seeds=[0]))  # a frozen method has none to measure
    flagged = _result(method=trained, seeds=[0, 1], flags={"training_variance_measured": False})
    assert not training_variance_measured(flagged)  # a recorded flag wins over the rule


def test_training_splits_per_seed_in_seed_order_deduplicated() -> None:
    assert training_splits(_result()) == []  # untrained
    trained = {"type": "trained", "training_relations": ["r"], "training_data": "fewrel/train_wiki"}
    recorded = _result(method=trained, seeds=[0, 1, 2], per_seed=[
        {"training_data": "kshot:b"}, {"training_data": "kshot:a"}, {"training_data": "kshot:b"}])
    assert training_splits(recorded) == ["kshot:b", "kshot:a"]
    legacy_kshot = _result(method=trained, seeds=[13, 21], per_seed=[{}, {}], protocol="kshot", setting={"k_shot": 8})
    assert training_splits(legacy_kshot) == ["kshot:kshot-k8-s13", "kshot:kshot-k8-s21"]
    assert training_splits(_result(method=trained, per_seed=[{}])) == ["fewrel/train_wiki"]
    assert training_splits(_result(method={**trained, "training_data": None}, per_seed=[{}])) == ["unnamed"]
