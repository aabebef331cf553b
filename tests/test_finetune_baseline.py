"""The K-shot controls: ``finetune`` (base encoder + TKRE's classifier head) and ``finetune-synth``, real MiniLM."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main

KSHOT = ["--protocol", "kshot", "--dataset", "semeval2010", "--k", "2", "--seeds", "13", "--limit", "30"]


def _metas(out: Path) -> dict[str, dict]:
    paths = [p for p in (out / "runs").rglob("*.json") if not p.name.endswith(".meta.json")]
    results = [json.loads(p.read_text()) for p in paths]
    return {r["method"]["name"]: r for r in results}


@pytest.mark.slow
def test_finetune_and_finetune_synth_share_tkre_head_budget_and_synthetic_data(tmp_path: Path) -> None:
    code = main(["run", "--methods", "finetune,finetune-synth", *KSHOT, "--knowledge", "schema",
                 "--tkre-max-relations", "3", "--tkre-synthetic-per-relation", "2",
                 "--option", "finetune_epochs=2", "--option", "finetune_max_steps=6", "--match-steps", "none",
                 "--output-dir", str(tmp_path)])
    assert code == 0
    results = _metas(tmp_path)
    plain, synth = results["finetune"]["method"], results["finetune-synth"]["method"]
    for meta in (plain, synth):
        assert meta["type"] == "trained" and meta["training_data"].startswith("kshot:")
        run = meta["extra"]["finetune"]
        assert run["settings"]["epochs"] == 2 and run["settings"]["max_steps"] == 6
        # the budget is what ran: steps, texts, tokens and wall time of the fine-tuning stage
        budget = run["budget"]
        assert budget["steps"] == run["steps"] <= 6 and budget["texts"] > 0 and budget["tokens"] > budget["texts"]
        assert budget["wall_s"] > 0 and run["dev_examples"] > 0 and run["selected_epoch"] in (0, 1)
        assert 0.0 <= results[meta["name"]]["metrics"]["micro_f1"]["mean"] <= 1.0
    assert plain["extra"]["finetune"]["synthetic_examples"] == 0 and plain["knowledge_source"] is None
    # finetune-synth adds exactly what TKRE would: 3 relations x 2 schema substitutes at K=2
    assert synth["extra"]["finetune"]["synthetic_examples"] == 6 and synth["knowledge_source"] == "schema"
    assert synth["extra"]["finetune"]["train_examples"] == plain["extra"]["finetune"]["train_examples"] + 6
    assert plain["extra"]["budget"] == synth["extra"]["budget"] and synth["extra"]["step_match"] is None


@pytest.mark.slow
def test_finetune_synth_trains_exactly_as_many_steps_as_tkre_on_the_split(tmp_path: Path) -> None:
    """The step-matched control (issue 31): tkre's stage 1 + stage 2 + classifier steps, counted without training,
    equal what tkre then records having trained; finetune-synth's classifier trains that total."""
    from tests.test_tkre_method import TINY_FLAGS

    cap = TINY_FLAGS.index("--tkre-pretrain-max-steps")
    tiny = TINY_FLAGS[:cap] + TINY_FLAGS[cap + 2:]  # no step cap: the stages run whole epochs
    code = main(["run", "--methods", "tkre,finetune-synth", *KSHOT, "--knowledge", "schema", *tiny,
                 "--tkre-finetune-epochs", "2", "--option", "finetune_epochs=2", "--output-dir", str(tmp_path)])
    assert code == 0
    results = _metas(tmp_path)
    tkre, synth = results["tkre"]["method"]["extra"], results["finetune-synth"]["method"]["extra"]
    counted = synth["step_match"]["tkre_steps"]
    assert synth["step_match"]["to"] == "tkre" and counted == tkre["kshot_steps"]
    assert counted["stage1"] > 0 and counted["stage2"] > 0 and counted["classifier"] == tkre["finetune"]["steps"]
    assert synth["kshot_steps"]["total"] == synth["finetune"]["steps"] == tkre["kshot_steps"]["total"]
    # more than its own two epochs would have been: the matching changed the budget
    assert synth["finetune"]["steps"] > 2 * -(-synth["finetune"]["train_examples"] // synth["budget"]["batch_size"])


def test_finetune_refuses_the_episodic_protocol_with_one_line(tmp_path: Path, capsys) -> None:
    code = main(["run", "--methods", "finetune", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
                 "--episodes", "2", "--output-dir", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "K-shot RC method" in err[0]


def test_unknown_finetune_option_is_named(tmp_path: Path, capsys) -> None:
    code = main(["run", "--methods", "finetune", *KSHOT, "--option", "finetune_bogus=1", "--output-dir", str(tmp_path)])
    assert code == 2
    assert "unknown option 'finetune_bogus'" in capsys.readouterr().err
