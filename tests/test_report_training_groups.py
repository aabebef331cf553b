"""Trained rows are ranked only with rows trained on the same kind of data: cross-domain ones get their own table."""

from __future__ import annotations

from fsre_bench.report.training_groups import describe_training, group_heading, group_note, training_group


def _result(protocol: str, dataset: str, training: list[str]) -> dict:
    trained = bool(training)
    return {"protocol": protocol, "dataset": {"name": dataset}, "seeds": [0],
            "method": {"type": "trained" if trained else "metric", "training_relations": ["r"] if trained else [],
                       "training_data": training[0] if training else None},
            "per_seed": [{"training_data": name} for name in training] or [{}]}


def test_rows_trained_on_the_datasets_own_relations_or_untrained_stay_in_the_main_table() -> None:
    assert training_group(_result("episodic", "fewrel", [])) == ""
    assert training_group(_result("episodic", "fewrel", ["fewrel/train_offline"])) == ""
    assert training_group(_result("kshot", "semeval2010", ["kshot:kshot-k8-s13"])) == ""


def test_rows_trained_elsewhere_are_grouped_by_that_data() -> None:
    assert training_group(_result("episodic", "fewrel", ["semeval2010/train"])) == "semeval2010/train"
    assert training_group(_result("natural-nota", "fs-tacred", ["fewrel/train_wiki"])) == "fewrel/train_wiki"


def test_known_training_data_is_described_and_the_table_says_it_is_cross_domain() -> None:
    assert describe_training("fewrel/train_offline").startswith("FewRel's 64 training relations, offline from Wiki80")
    assert describe_training("mine/train") == "mine/train"
    assert group_heading("semeval2010/train") == " · cross-domain: trained on semeval2010/train"
    note = group_note("semeval2010/train", "fewrel/val_wiki")
    assert "learned from SemEval-2010's relations, not from fewrel's own training relations" in note
