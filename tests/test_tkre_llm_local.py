"""TKRE with `--knowledge llm --llm local`: EDKG and SCDG from the real embedded SmolLM2 server, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.llm import stop_managed_servers


@pytest.mark.llm
@pytest.mark.slow
def test_tkre_builds_llm_knowledge_on_the_local_server_and_runs(tmp_path: Path) -> None:
    argv = ["run", "--methods", "tkre", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
            "--knowledge", "llm", "--llm", "local", "--llm-max-tokens", "64", "--settings", "5-1", "--episodes", "3", "--seeds", "0",
            "--output-dir", str(tmp_path), "--select-refit", "all", "--tkre-max-relations", "2", "--tkre-explanations-per-relation", "2",
            "--tkre-synthetic-per-relation", "2", "--tkre-synthetic-rounds", "1", "--tkre-stage1-epochs", "1",
            "--tkre-stage2-epochs", "1", "--tkre-pretrain-max-steps", "1", "--tkre-mlm-warmup-steps", "1", "--tkre-mlm-head-corpus", "none",
            "--tkre-corpus-sentences-per-relation", "2", "--proto-ft-steps", "2", "--select-dev-episodes", "2",
            "--option", "select_checkpoints=[1.0]"]
    try:
        code = main(argv)
    finally:
        stop_managed_servers()
    assert code == 0
    path = next(p for p in (tmp_path / "runs").rglob("n3_*.json"))
    meta = json.loads(path.read_text())["method"]
    assert meta["knowledge_source"] == "llm:smollm2-135m-instruct"
    # knowledge for 2 relations; the evaluated encoder is the refit: meta-trained on every training relation
    assert meta["training_data"] == "semeval2010/train"
    assert set(meta["training_relations"]) == set(meta["extra"]["model_selection"]["refit"]["trained_on"])
    explanations, synthetic = meta["extra"]["knowledge"]["explanations"], meta["extra"]["knowledge"]["synthetic"]
    assert explanations["requests"] == 4 and explanations["source"] == "llm:smollm2-135m-instruct"
    assert explanations["n_examples"] == 4 - explanations["failed_requests"] - explanations["empty_replies"]
    assert synthetic["requests"] == 2  # one round for each of the two relations: the bound holds
    # Every generated line is either accepted or counted under exactly one filter.
    assert synthetic["lines"] == synthetic["accepted"] + sum(synthetic["rejected"].values())
    assert meta["extra"]["knowledge"]["explanations"]["llm_usage"]["calls"] >= 1
