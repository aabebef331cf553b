"""The K-shot classifier's budget, step plan and inference, without training it (a fixed head on MiniLM)."""

from __future__ import annotations

import pytest
import torch

from fsre_bench.errors import ConfigError, DataError
from fsre_bench.training.classifier import (
    ClassifierBudget,
    FittedClassifier,
    MarkerClassifier,
    classify,
    dev_score,
    finetune_classifier,
    planned_classifier_steps,
)
from fsre_bench.training.marked_batches import encode_marked, marker_representation
from fsre_bench.training.saved_encoder import load_trainable_encoder, quiet_transformers
from fsre_bench.types import RelationInstance


def _instance(index: int, tokens: tuple[str, ...], label: str) -> RelationInstance:
    return RelationInstance(id=f"t#{index}", tokens=tokens, head=((0,),), tail=((len(tokens) - 1,),), label=label)


SENTENCES = [("Ada", "met", "Bob"), ("The", "river", "flows", "into", "the", "sea"), ("Acme", "hired", "Zed"),
             ("Paris", "is", "in", "France"), ("A", "storm", "caused", "the", "flood"), ("Oslo", "Norway")]
INSTANCES = [_instance(i, tokens, label) for i, (tokens, label) in enumerate(zip(SENTENCES, ["a", "b", "Other", "a",
                                                                                             "b", "a"], strict=True))]


@pytest.mark.parametrize(("fields", "message"), [
    ({"epochs": -1}, "classifier epochs=-1 must be an integer >= 0"),
    ({"epochs": True}, "classifier epochs=True must be an integer >= 0"),
    ({"batch_size": 0}, "classifier batch_size=0 must be an integer >= 1"),
    ({"max_steps": 0}, "classifier max_steps=0 must be an integer >= 1"),
    ({"dropout": 1.0}, "dropout must be in"),
    ({"lr": 0.0}, "the learning rates > 0"),
])
def test_a_bad_budget_is_one_line(fields, message) -> None:
    with pytest.raises(ConfigError, match=message):
        ClassifierBudget(**{"epochs": 1, "max_steps": None, **fields})


def test_steps_are_batches_times_epochs_capped_by_max_steps() -> None:
    assert planned_classifier_steps(17, ClassifierBudget(epochs=3, max_steps=None, batch_size=8)) == 9  # 3 x ceil(17/8)
    assert planned_classifier_steps(17, ClassifierBudget(epochs=3, max_steps=5, batch_size=8)) == 5
    assert planned_classifier_steps(17, ClassifierBudget(epochs=0, max_steps=5)) == 0
    assert ClassifierBudget(epochs=2, max_steps=None).to_dict()["head_lr"] == 1e-3


@pytest.fixture(scope="module")
def fitted() -> FittedClassifier:
    """MiniLM with a fixed, untrained head: three seeded directions through the centre of these sentences'
    marker states, so the answers differ from sentence to sentence."""
    torch.manual_seed(0)
    with quiet_transformers():
        encoder, tokenizer = load_trainable_encoder(None)
    model = MarkerClassifier(encoder, 3, dropout=0.0)
    model.eval()
    with torch.inference_mode():
        centre = marker_representation(encoder, encode_marked(tokenizer, INSTANCES)).mean(dim=0)
    head = torch.nn.Linear(centre.shape[0], 3)
    with torch.no_grad():
        head.weight.copy_(torch.randn(3, centre.shape[0]))
        head.bias.copy_(-head.weight @ centre)
    model.head = head
    return FittedClassifier(model, tokenizer, ["a", "b", "Other"], {})


def test_classify_answers_in_input_order_whatever_the_batching(fitted) -> None:
    one_batch = classify(fitted, INSTANCES, ClassifierBudget(epochs=1, max_steps=None, eval_batch_size=64))
    batched = classify(fitted, INSTANCES, ClassifierBudget(epochs=1, max_steps=None, eval_batch_size=2))
    singles = [classify(fitted, [inst], ClassifierBudget(epochs=1, max_steps=None))[0] for inst in INSTANCES]
    assert one_batch == batched == singles and set(one_batch) <= {"a", "b", "Other"}
    assert len(set(one_batch)) > 1  # the head tells these sentences apart, so a reordering would show


def test_dev_score_is_micro_f1_without_the_negative_label_or_accuracy(fitted) -> None:
    budget = ClassifierBudget(epochs=1, max_steps=None)
    predicted = classify(fitted, INSTANCES, budget)
    gold = [inst.label for inst in INSTANCES]
    accuracy = sum(p == g for p, g in zip(predicted, gold, strict=True)) / len(gold)
    assert dev_score(fitted, INSTANCES, None, budget, "cpu") == pytest.approx(accuracy)
    tp = sum(p == g != "Other" for p, g in zip(predicted, gold, strict=True))
    pred_pos, gold_pos = sum(p != "Other" for p in predicted), sum(g != "Other" for g in gold)
    expected = 2 * tp / (pred_pos + gold_pos) if pred_pos + gold_pos else 0.0
    assert dev_score(fitted, INSTANCES, "Other", budget, "cpu") == pytest.approx(expected)


def test_a_label_outside_the_split_is_refused_before_loading_anything() -> None:
    with pytest.raises(DataError, match=r"label 'c' of a training/dev instance is not among the split's labels"):
        finetune_classifier(None, [_instance(0, ("x", "y"), "c")], [], ["a", "b"],
                            settings=ClassifierBudget(epochs=1, max_steps=1), seed=0, negative_label=None)
