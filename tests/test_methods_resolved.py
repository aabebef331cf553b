"""A run resolves each chosen method once (``ResolvedMethod``) and checks every method's requirements first."""

from __future__ import annotations

import dataclasses
import sys
from collections import Counter
from pathlib import Path

import pytest

from fsre_bench.methods import registry
from fsre_bench.methods.resolved import ResolvedMethod, resolve_method
from fsre_bench.results import ResultFile
from fsre_bench.runner import RunConfig, run
from fsre_bench.runner.plan import resolve_methods
from tests.support.cli_helpers import fails_with_one_line, output_snapshot


def _count_spec_lookups(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every ``method_spec`` call by name, wherever it is called from (modules that imported it by name too)."""
    original, calls = registry.method_spec, Counter()

    def counting(name: str):
        calls[name] += 1
        return original(name)

    for module in list(sys.modules.values()):
        if getattr(module, "method_spec", None) is original:
            monkeypatch.setattr(module, "method_spec", counting)
    return calls


def test_a_run_reads_each_method_spec_from_the_registry_once(monkeypatch, tmp_path):
    calls = _count_spec_lookups(monkeypatch)
    config = RunConfig(methods=["random", "proto", "proto-desc"], dataset="fewrel/val_wiki", settings=["5-1", "5-5"],
                       episodes=3, seeds=[0], n_bootstrap=100, output_dir=str(tmp_path))
    outcomes = run(config, command=["pytest"])
    assert [(o.method, o.status) for o in outcomes] == [(m, "computed") for m in ("random", "proto", "proto-desc")
                                                        for _ in range(2)]
    assert calls == {"random": 1, "proto": 1, "proto-desc": 1}
    # what the result records came from the resolved entries
    desc = ResultFile.load(outcomes[-1].result_path).result["method"]
    assert desc["side_information"] == "names + descriptions" and desc["ablation_of"] is None
    assert ResultFile.load(outcomes[0].result_path).result["method"]["side_information"] == "none"


def test_a_resolved_method_holds_what_the_run_asks_of_it_and_is_immutable():
    spec = registry.method_spec("proto-ft")
    common = dict(method_options={}, recorded_options={}, has_nota=False)
    episodic = resolve_method(spec, protocol="episodic", device="cpu", **common)
    assert (episodic.name, episodic.requires_train, episodic.requires_llm, episodic.needs_gpu) == \
        ("proto-ft", True, False, False)
    assert resolve_method(spec, protocol="kshot", device="cpu", **common).requires_train is False
    assert resolve_method(spec, protocol="episodic", device="cuda:1", **common).needs_gpu is True
    assert resolve_method(registry.method_spec("proto"), protocol="episodic", device="cuda", **common).needs_gpu is False
    variant = resolve_method(registry.method_spec("tkre-no-scl"), protocol="episodic", device="cpu", **common)
    assert (variant.family, episodic.family) == ("tkre", None)  # a result's ablation_of
    with pytest.raises(dataclasses.FrozenInstanceError):
        episodic.requires_train = False  # type: ignore[misc]


def test_nota_calibration_and_llm_needs_come_from_the_run_settings():
    config = RunConfig(methods=["proto", "icl", "random"], dataset="fewrel/val_wiki", na_rate=0.5,
                       method_options={"icl_max_demos": 3, "proto_representation": "marker-mean"})
    proto, icl, rand = resolve_methods(config)
    assert isinstance(proto, ResolvedMethod) and [m.requires_train for m in (proto, icl, rand)] == [True, False, False]
    assert [m.requires_llm for m in (proto, icl, rand)] == [False, True, False]
    assert icl.options_read == {"icl_max_demos": 3} and rand.options_read == {}
    icl.options_read["icl_max_demos"] = 99  # a reader's copy: the resolved record does not change
    assert icl.options_read == {"icl_max_demos": 3}
    fixed = RunConfig(methods=["proto"], dataset="fewrel/val_wiki", na_rate=0.5, method_options={"nota_threshold": 0.3})
    assert resolve_methods(fixed)[0].requires_train is False


def _run_argv(out: Path, methods: str, *extra: str) -> list[str]:
    return ["run", "--methods", methods, "--dataset", "fewrel/val_semeval", "--settings", "5-1", "--episodes", "3",
            "--seeds", "0", "--n-bootstrap", "100", "--output-dir", str(out), *extra]


def test_a_method_missing_training_relations_stops_the_run_before_any_unit(capsys, tmp_path):
    # random comes first: a late check would have let it write its result and predictions
    err = fails_with_one_line(capsys, _run_argv(tmp_path, "random,proto-ft"),
                              "proto-ft needs training relations", "--train")
    assert len(err.splitlines()) == 1 and "random" not in err
    assert output_snapshot(tmp_path) == {}


@pytest.mark.parametrize(("methods", "fragments"), [
    ("random,icl", ("icl needs an LLM", "OPENAI_API_KEY is not set")),
    ("random,proto-ft,icl", ("proto-ft needs training relations", "icl needs an LLM")),  # every unmet need, one line
])
def test_an_llm_method_without_its_api_key_stops_the_run_before_any_unit(capsys, tmp_path, monkeypatch, methods,
                                                                         fragments):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    argv = _run_argv(tmp_path, methods, "--llm", "remote", "--llm-base-url", "https://llm.invalid/v1")
    err = fails_with_one_line(capsys, argv, *fragments)
    assert len(err.splitlines()) == 1
    assert output_snapshot(tmp_path) == {}
