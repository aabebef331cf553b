"""TKRE end to end on real MiniLM and real data, on tiny budgets: the CLI (episodic and K-shot) and the ablations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fsre_bench.cli.main import main
from fsre_bench.data import load_dataset

# 3 relations x (4 labelled sentences + 2 explanations + 2 synthetic), one epoch per stage, at most 2 steps each,
# 2 MLM warm-up steps; episodic: 3 meta-training episodes with checkpoints at steps 1 and 3 on 4 dev relations.
TINY_FLAGS = ["--tkre-max-relations", "3", "--tkre-explanations-per-relation", "2", "--tkre-synthetic-per-relation", "2",
              "--tkre-stage1-epochs", "1", "--tkre-stage2-epochs", "1", "--tkre-pretrain-max-steps", "2",
              "--tkre-mlm-warmup-steps", "2", "--tkre-mlm-head-corpus", "none", "--tkre-corpus-sentences-per-relation", "4",
              "--proto-ft-steps", "3", "--select-dev-episodes", "4", "--option", "select_checkpoints=[0.34, 1.0]",
              "--select-refit", "all"]  # the refit path is what these tests check (default none since issue 31)


def _result(out: Path) -> dict:
    paths = [p for p in (out / "runs").rglob("*.json") if not p.name.endswith(".meta.json")]
    assert len(paths) == 1, paths
    return json.loads(paths[0].read_text())


@pytest.mark.slow
def test_episodic_run_through_the_cli_records_knowledge_source_and_training_relations(tmp_path: Path, data_dir) -> None:
    code = main(["run", "--methods", "tkre", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
                 "--knowledge", "schema", "--settings", "5-1", "--episodes", "4", "--seeds", "0",
                 "--output-dir", str(tmp_path), *TINY_FLAGS])
    assert code == 0
    result = _result(tmp_path)
    meta = result["method"]
    assert (meta["type"], meta["knowledge_source"], meta["training_data"]) == ("trained", "schema", "semeval2010/train")
    train = load_dataset("semeval2010/train", data_dir)
    evaluation = load_dataset("fewrel/val_wiki", data_dir)
    extra = meta["extra"]
    selection = extra["model_selection"]
    dev = set(selection["dev_relations"])
    # knowledge for 3 relations; the selection meta-trains (as proto-ft) on every training relation but the 4 dev
    # ones, the refit (the evaluated encoder) on all of them, pre-training again on all of them first
    with_sentences = {r for r in train.positive_relations if train.instances.get(r)}
    assert len(dev) == 4 and not dev & set(selection["trained_on"]) and len(selection["trained_on"]) == 13
    assert set(meta["training_relations"]) == set(selection["refit"]["trained_on"]) == with_sentences
    assert {k: selection["refit"][k] for k in ("lr", "steps")} == selection["chosen"]
    held_out = extra["selection_pretrain"]
    assert held_out["pretrain"]["cache_key"] != extra["pretrain"]["cache_key"] and not dev & set(held_out["relations"])
    kinds = [m["kind"] for m in result["per_seed"][0]["provenance"]["fitted_models"]]
    assert kinds == ["tkre pre-trained encoder", "tkre pre-trained encoder (selection, without the dev relations)",
                     "tkre meta-trained encoder", "tkre meta-trained encoder (selection, without the dev relations)"]
    assert held_out["knowledge"]["corpus"]["by_source"]["labelled"] == 3 * 4 and held_out["knowledge_source"] == "schema"
    # the refit's pre-training is timed apart from the meta-training it runs inside
    timing = extra["step_timing_s"]
    assert timing["refit_pretrain_s"] >= timing["pretrain_s"] > 0 and timing["meta_train_s"] > 0
    assert not set(meta["training_relations"]) & set(evaluation.relations)
    assert extra["settings"]["max_relations"] == 3 and extra["settings"]["pretrain_max_steps"] == 2
    stages = extra["pretrain"]["stages"]
    assert stages["stage1"]["objectives"] == ["mslm"] and stages["stage2"]["objectives"] == ["mslm", "scl"]
    assert stages["mlm_warmup"]["encoder_frozen"] is True and stages["mlm_warmup"]["steps"] == 2
    assert stages["stage2"]["scl_marker_rows"] == 0 and stages["stage2"]["scl_rows"] > 0  # the paper's SCL: no pair positive
    corpus = extra["knowledge"]["corpus"]
    assert corpus["by_source"]["labelled"] == 3 * 4
    # the knowledge's weight is recorded: explanation + synthetic texts and their share of all texts
    knowledge = corpus["by_source"].get("explanation", 0) + corpus["by_source"].get("synthetic", 0)
    assert corpus["knowledge_texts"] == knowledge > 0 and corpus["knowledge_share"] == round(knowledge / corpus["texts"], 4)
    # the MLM head has its own time; pre-training's excludes it (the head is off here: --tkre-mlm-head-corpus none)
    assert extra["mlm_head"]["trained"] is False and timing["mlm_head_s"] < timing["pretrain_s"]
    # model selection: checkpoints 1 and 3 of the meta-training scored on dev-relation episodes, the best kept
    assert [h["steps"] for h in selection["history"]] == [1, 3]
    best = max(h["dev_accuracy"] for h in selection["history"])
    chosen = next(h for h in selection["history"] if h["dev_accuracy"] == best)
    assert selection["chosen"] == {"lr": chosen["lr"], "steps": chosen["steps"]}
    # what every stage spent, and the meta-training stage is the selected run's
    spent = extra["spent"]["stages"]
    assert set(spent) == {"mlm_warmup", "stage1", "stage2", "meta_train"}
    assert spent["meta_train"]["steps"] == selection["chosen"]["steps"] and spent["stage1"]["texts"] > 0
    assert extra["spent"]["total"]["steps"] == sum(s["steps"] for s in spent.values())
    assert result["episodes"]["effective"] == 4
    # The reported score is the score of the logged predictions, and every answer is one of the episode's labels.
    log = next(tmp_path.rglob("*.predictions.jsonl"))
    records = [json.loads(line) for line in log.read_text().splitlines()[1:]]
    pairs = [(p, g) for r in records for p, g in zip(r["pred"], r["gold"], strict=True)]
    assert len(pairs) == 4 * 5 and all(r["failures"] == 0 for r in records)
    assert result["metrics"]["accuracy"]["mean"] == pytest.approx(sum(p == g for p, g in pairs) / len(pairs))
    assert all(set(r["pred"]) <= set(r["gold"]) for r in records)  # 5-way, 1 query each: gold = the candidates


@pytest.mark.slow
def test_without_meta_training_the_refit_pre_trains_again_on_all_training_relations(tmp_path: Path, data_dir) -> None:
    code = main(["run", "--methods", "tkre", "--dataset", "fewrel/val_wiki", "--train", "semeval2010/train",
                 "--knowledge", "schema", "--settings", "5-1", "--episodes", "2", "--seeds", "0",
                 "--option", "tkre_meta_train=false", "--output-dir", str(tmp_path), *TINY_FLAGS])
    assert code == 0
    result = _result(tmp_path)
    extra = result["method"]["extra"]
    kinds = [m["kind"] for m in result["per_seed"][0]["provenance"]["fitted_models"]]
    assert kinds == ["tkre pre-trained encoder", "tkre pre-trained encoder (selection, without the dev relations)"]
    held_out, evaluated = extra["selection_pretrain"], extra["pretrain"]
    assert held_out["pretrain"]["cache_key"] != evaluated["cache_key"] and extra["meta_train"] is None
    assert "refit_pretrain_s" in extra["step_timing_s"] and "meta_train_s" not in extra["step_timing_s"]
    # max_relations 3: the first 3 relations; the selection's draw held dev relations out of them
    assert len(held_out["relations"]) <= 3 and len(result["method"]["training_relations"]) == 3


@pytest.mark.slow
def test_kshot_run_fine_tunes_on_the_kshot_train_set_and_selects_on_dev(tmp_path: Path) -> None:
    code = main(["run", "--methods", "tkre", "--protocol", "kshot", "--dataset", "semeval2010", "--k", "2",
                 "--seeds", "13", "--limit", "30", "--knowledge", "schema", "--tkre-finetune-epochs", "2",
                 "--output-dir", str(tmp_path), *TINY_FLAGS])
    assert code == 0
    meta = _result(tmp_path)["method"]
    assert meta["training_data"].startswith("kshot:")
    assert meta["knowledge_source"] == "schema" and len(meta["training_relations"]) == 3
    finetune = meta["extra"]["finetune"]
    assert finetune["synthetic_examples"] == 6  # 3 relations x 2 (substitution always finds 2 at K=2)
    assert finetune["train_examples"] == finetune["synthetic_examples"] + 2 * 18  # 18 labels have train examples
    assert finetune["dev_examples"] > 0 and finetune["selected_epoch"] in (0, 1)
    history = finetune["history"]
    assert [h["epoch"] for h in history] == [0, 1]
    # Model selection keeps the first epoch with the best dev score, and reports that score.
    best = max(h["dev"] for h in history)
    assert finetune["selected_epoch"] == next(h["epoch"] for h in history if h["dev"] == best)
    assert finetune["selected_dev_score"] == pytest.approx(best, abs=1e-5)


@pytest.mark.parametrize(("flags", "fragment"), [
    (["--dataset", "fewrel/val_semeval"], "give --train"),  # val_wiki would use FewRel's own training relations
    (["--train", "semeval2010/train", "--option", "tkre_bogus=1"], "unknown TKRE option 'tkre_bogus'"),
    (["--train", "semeval2010/train", "--tkre-stage1-epochs", "-1"], "tkre_stage1_epochs=-1 must be an integer >= 0"),
    (["--train", "semeval2010/train", "--llm", "local"], "--llm* flags are only used with --knowledge llm"),
])
def test_bad_tkre_input_fails_with_one_line_before_any_training(tmp_path: Path, capsys, flags, fragment) -> None:
    code = main(["run", "--methods", "tkre", "--dataset", "fewrel/val_wiki", "--knowledge", "schema", "--episodes", "2",
                 "--output-dir", str(tmp_path), *flags])
    err = capsys.readouterr().err
    assert code == 2 and fragment in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.strip()] == [next(line for line in err.splitlines() if fragment in line)]
