"""SemEval-2010 Task 8 labels: readable names and directional descriptions, head e1 and tail e2."""

from __future__ import annotations

from fsre_bench.data import load_dataset
from fsre_bench.data.semeval_labels import NEGATIVE_LABEL, SEMEVAL_RELATIONS, semeval_relation


def test_every_semeval_label_has_a_directional_description() -> None:
    rel2id = load_dataset("semeval2010/test").relations
    assert set(rel2id) == set(SEMEVAL_RELATIONS)
    for label, (name, description) in SEMEVAL_RELATIONS.items():
        assert name and description.endswith(".")
        if label != "Other":
            assert "(e1)" in description and "(e2)" in description



def test_a_label_becomes_its_readable_relation_and_anything_else_none() -> None:
    relation = semeval_relation("Cause-Effect(e2,e1)")
    assert relation is not None and relation.id == "Cause-Effect(e2,e1)"
    assert (relation.name, relation.description) == SEMEVAL_RELATIONS["Cause-Effect(e2,e1)"]
    assert relation.name != semeval_relation("Cause-Effect(e1,e2)").name  # the two directions read differently
    assert semeval_relation(NEGATIVE_LABEL).name == "other"
    assert semeval_relation("Cause-Effect") is None and semeval_relation("per:title") is None
