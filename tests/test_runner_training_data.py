"""Which training relations a run uses (the benchmark's own by default), and leakage into the evaluation split."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from fsre_bench.data.common import dataset_from_groups
from fsre_bench.data.registry import get_spec
from fsre_bench.errors import ConfigError
from fsre_bench.methods.registry import method_specs
from fsre_bench.methods.resolved import resolve_method
from fsre_bench.runner.config import RunConfig
from fsre_bench.runner.training_data import (
    check_leakage,
    default_training_dataset,
    fill_default_train,
    missing_training_relations,
)
from fsre_bench.types import Dataset, Relation, RelationInstance
from tests.support.shared_data import SHARED_DATA


def _resolved(*names: str) -> list:
    specs = method_specs()
    return [resolve_method(specs[name], method_options={}, recorded_options={}, protocol="episodic", has_nota=False,
                           device="cpu") for name in names]


def _config(dataset: str, **fields) -> RunConfig:
    return RunConfig(methods=["random"], dataset=dataset, device="cpu", data_dir=str(SHARED_DATA), **fields)


def test_the_default_training_relations_are_the_benchmarks_own(tmp_path: Path) -> None:
    assert default_training_dataset("fewrel/val_wiki", SHARED_DATA) == "fewrel/train_offline"  # no train_wiki here
    full = tmp_path / get_spec("fewrel/train_wiki").relpath
    full.parent.mkdir(parents=True)
    full.write_text("{}")
    assert default_training_dataset("fewrel/val_pubmed", tmp_path) == "fewrel/train_wiki"  # the full file, where present
    assert default_training_dataset("fs-tacred/test", SHARED_DATA) == "fs-tacred/train"
    assert default_training_dataset("semeval2010/test", SHARED_DATA) is None
    assert default_training_dataset("fewrel/val_semeval", SHARED_DATA) is None  # SemEval relations in FewRel format


def test_the_default_is_filled_only_for_methods_that_need_it() -> None:
    config = _config("fewrel/val_wiki")
    assert fill_default_train(config, _resolved("random", "proto")) is None and config.train is None
    line = fill_default_train(config, _resolved("random", "proto-ft"))
    assert config.train == "fewrel/train_offline"
    assert line == ("training relations: fewrel/train_offline (FewRel's own, the default for fewrel/val_wiki) for "
                    "proto-ft; --train semeval2010/train for the cross-domain setting")
    given = _config("fewrel/val_wiki", train="semeval2010/train")
    assert fill_default_train(given, _resolved("proto-ft")) is None and given.train == "semeval2010/train"


def test_a_method_needing_training_relations_with_none_to_use_is_named() -> None:
    config = _config("semeval2010/test", protocol="episodic")
    assert fill_default_train(config, _resolved("proto-ft", "tkre", "random")) is None
    message = missing_training_relations(config, _resolved("proto-ft", "tkre", "random"))
    assert message is not None and message.startswith("proto-ft, tkre need training relations and semeval2010/test "
                                                      "has no default: give --train DATASET")
    assert missing_training_relations(config, _resolved("proto-ft")).startswith("proto-ft needs training relations and")
    assert missing_training_relations(config, _resolved("random")) is None


def _dataset(name: str, rows: list[tuple[str, str]], negative: str | None = None) -> Dataset:
    """rows: (label, sentence); the head entity is the first token, the tail the last."""
    groups: dict[str, list[RelationInstance]] = {}
    for index, (label, sentence) in enumerate(rows):
        tokens = tuple(sentence.split())
        groups.setdefault(label, []).append(RelationInstance(id=f"{name}/s#{index}", tokens=tokens, head=((0,),),
                                                             tail=((len(tokens) - 1,),), label=label))
    return dataset_from_groups(name, "s", {label: Relation(label, label) for label in groups}, groups,
                               sha256=name * 8, path=f"{name}.json", negative_label=negative)


TRAIN = _dataset("train", [("t1", "Ada met Bob"), ("t1", "Cy saw Dee"), ("t2", "Eve knows Bob")])
EVALUATION = _dataset("eval", [("e1", "Ada met Bob"), ("e2", "Eve likes Bob")])


def test_shared_sentences_are_refused_dropped_or_allowed_and_entity_pairs_counted() -> None:
    with pytest.raises(ConfigError, match=r"--train train/s shares 1 sentence\(s\) with eval/s \(first: train/s#0\)"):
        check_leakage(TRAIN, EVALUATION, "refuse")
    kept, allowed = check_leakage(TRAIN, EVALUATION, "allow")
    assert kept is TRAIN
    assert allowed == {"evaluation": "eval/s", "policy": "allow", "shared_sentences": 1, "dropped_sentences": 0,
                       "shared_entity_pairs": 2, "train_instances": 3}  # (ada, bob) and (eve, bob)
    dropped, record = check_leakage(TRAIN, EVALUATION, "drop")
    assert [i.id for i in dropped.all_instances()] == ["train/s#1", "train/s#2"]
    assert (record["dropped_sentences"], record["train_instances"]) == (1, 2)
    assert dropped.source_sha256 != TRAIN.source_sha256  # cache keys follow what was dropped
    clean, none = check_leakage(_dataset("other", [("t1", "Cy saw Dee")]), EVALUATION, "refuse")
    assert none["shared_sentences"] == none["shared_entity_pairs"] == 0 and len(clean) == 1


def test_training_on_the_evaluation_relations_or_split_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"--train eval is the evaluation split itself"):
        check_leakage(EVALUATION, EVALUATION, "allow")
    overlapping = _dataset("train", [("e2", "Zed met Yan"), ("t1", "Cy saw Dee")])
    with pytest.raises(ConfigError, match=r"shares 1 relation\(s\) with eval \(e\.g\. e2\): few-shot evaluation needs"):
        check_leakage(overlapping, EVALUATION, "allow")
    negative_only = _dataset("train", [("Other", "Zed met Yan")], negative="Other")
    with_negative = _dataset("eval", [("Other", "Q r s"), ("e1", "Ada met Bob")], negative="Other")
    check_leakage(negative_only, replace(with_negative, source_sha256="f" * 64), "refuse")  # the negative label is no relation
