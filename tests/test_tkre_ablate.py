"""`fsre-bench ablate tkre` on a tiny budget: every variant runs on the same episodes, trains what it should, and the table is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from tests.test_tkre_method import TINY_FLAGS

VARIANTS = ("tkre", "tkre-no-mslm", "tkre-no-scl", "tkre-no-synth", "tkre-no-knowledge")


@pytest.mark.slow
def test_ablate_runs_each_variant_on_the_same_episodes_and_writes_the_table(tmp_path: Path, capsys) -> None:
    code = main(["ablate", "tkre", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train", "--knowledge", "schema",
                 "--settings", "5-1", "--episodes", "4", "--seeds", "0", "--n-bootstrap", "200",
                 "--output-dir", str(tmp_path), *TINY_FLAGS])
    out = capsys.readouterr().out
    results = {}
    for name in VARIANTS:
        paths = list((tmp_path / "runs" / "fewrel_val_wiki" / "episodic" / "5-1" / name).glob("n4_*.json"))
        assert len(paths) == 1, name
        results[name] = json.loads(paths[0].read_text())
    assert len({json.dumps(r["episodes"]["files"], sort_keys=True) for r in results.values()}) == 1  # same episodes
    pretrain = {name: r["method"]["extra"]["pretrain"] for name, r in results.items()}
    stages = {name: {s: (i["ran"], tuple(i.get("objectives", ()))) for s, i in info["stages"].items()}
              for name, info in pretrain.items()}
    sources = {name: info["examples"]["by_source"] for name, info in pretrain.items()}
    warmup = {"mlm_warmup": (True, ("mslm",))}  # MiniLM's fresh MLM head, wherever an MSLM stage runs
    assert stages["tkre"] == {**warmup, "stage1": (True, ("mslm",)), "stage2": (True, ("mslm", "scl"))}
    assert stages["tkre-no-mslm"] == {"mlm_warmup": (False, ()), "stage1": (False, ()), "stage2": (True, ("scl",))}
    assert stages["tkre-no-scl"] == {**warmup, "stage1": (True, ("mslm",)), "stage2": (True, ("mslm",))}
    # every variant's corpus holds the 3 x 4 marked labelled sentences; the knowledge texts differ
    assert sources["tkre"] == {"labelled": 12, "explanation": 6, "synthetic": 6}
    assert sources["tkre-no-synth"] == {"labelled": 12, "explanation": 6}
    assert sources["tkre-no-knowledge"] == {"labelled": 12, "sentence": 6, "synthetic": 6}
    assert len({info["cache_key"] for info in pretrain.values()}) == 5  # five pre-training runs, none reused
    assert code == 0, out
    table = tmp_path / "ablations" / "tkre-fewrel_val_wiki-episodic-5-1.md"
    text = table.read_text()
    assert all(name in text for name in VARIANTS)
    assert "ablation table:" in out
