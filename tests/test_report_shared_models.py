"""Which committed results share fitted models: 5-5 and the -desc rows reuse the 5-1 fits, one set of models."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import pytest

from fsre_bench.report.collect import collect_rows
from fsre_bench.report.shared_models import (
    fitted_model_keys,
    independent_models,
    shared_label,
    shares_models_with,
)

EPISODIC = Path(__file__).resolve().parents[1] / "results" / "runs" / "fewrel_val_wiki" / "episodic"


@pytest.fixture(scope="module")
def rows():
    return {(row.method_name, row.setting): row for setting in ("5-1", "5-5") for row in collect_rows(EPISODIC / setting)}


def test_a_trained_method_shares_its_fits_across_settings_and_with_its_desc_twin(rows) -> None:
    tkre = rows[("tkre", "5-1")]
    shared = {(r.method_name, r.setting) for r in shares_models_with(tkre, list(rows.values()))}
    assert shared == {("tkre-desc", "5-1"), ("tkre", "5-5"), ("tkre-desc", "5-5")}
    assert {(r.method_name, r.setting) for r in shares_models_with(rows[("tkre-no-scl", "5-1")], list(rows.values()))} \
        == {("tkre-no-scl", "5-5")}  # an ablation fits its own models
    assert shared_label(tkre) == f"{tkre.method_label} 5-1"


def test_frozen_methods_share_nothing_and_count_their_seeds(rows) -> None:
    proto = rows[("proto", "5-1")]
    assert all(keys == frozenset() for keys in fitted_model_keys(proto))
    assert shares_models_with(proto, list(rows.values())) == []
    assert independent_models(proto) == len(proto.result["per_seed"])


def test_seeds_that_share_a_fit_count_once(rows) -> None:
    tkre = rows[("tkre", "5-1")]
    assert independent_models(tkre) == 3 and all(len(keys) == 4 for keys in fitted_model_keys(tkre))
    result = copy.deepcopy(tkre.result)
    first = result["per_seed"][0]["provenance"]["fitted_models"][0]
    result["per_seed"][2]["provenance"]["fitted_models"].append(first)  # seed 2 also used seed 0's model
    assert independent_models(replace(tkre, result=result)) == 2
