"""Episodes as text for outside systems: entity offsets that index the text exactly, no ids, no gold."""

from __future__ import annotations

import json

from fsre_bench.external.text import (
    GOLD_FORMAT,
    TEXT_FORMAT,
    entity_record,
    episode_text_record,
    gold_header,
    gold_record,
    instance_record,
    text_header,
)
from fsre_bench.types import NOTA, Episode, EpisodeData, Relation, RelationInstance

SENTENCE = RelationInstance(id="toy/test#41", tokens=("Ada", "Lovelace", "was", "born", "in", "London", "."),
                            head=((0, 1),), tail=((5,),), label="born_in", head_type="PERSON", tail_type="CITY")
SPLIT = RelationInstance(id="toy/test#7", tokens=("New", "X", "York", "is", "big"), head=((0, 2),), tail=((4,),),
                         label="is")


def test_char_spans_index_the_joined_text_exactly() -> None:
    record = instance_record(SENTENCE)
    assert record["text"] == "Ada Lovelace was born in London ."
    for role, text in (("head", "Ada Lovelace"), ("tail", "London")):
        start, end = record[role]["char_span"]
        assert record["text"][start:end] == record[role]["text"] == text
    assert record["head"]["token_span"] == [0, 2] and record["head"]["type"] == "PERSON"
    split = entity_record(SPLIT, "head")  # a mention with a gap: the span covers it
    assert split == {"text": "New X York", "token_span": [0, 3], "char_span": [0, 10]}
    assert "type" not in split


def test_an_episode_record_holds_candidates_and_queries_but_no_ids_or_gold() -> None:
    support = RelationInstance(id="toy/train#3", tokens=("Bo", "lives", "in", "Oslo"), head=((0,),), tail=((3,),),
                               label="lives_in")
    episode = Episode("3-00001", ("born_in", "lives_in"), (("toy/test#7",), ("toy/train#3",)), ("toy/test#41",),
                      ("born_in",))
    data = EpisodeData(instances={i.id: i for i in (SENTENCE, SPLIT, support)},
                       relations={"born_in": Relation("born_in", "born in", "where a person was born")})
    record = episode_text_record(episode, data)
    assert record["episode_id"] == "3-00001"
    assert [(c["label"], c["name"], c["description"]) for c in record["candidates"]] == [
        ("born_in", "born in", "where a person was born"), ("lives_in", "lives_in", "")]  # no metadata: the label
    assert record["candidates"][1]["supports"][0]["text"] == "Bo lives in Oslo"
    assert record["queries"] == [{"query_index": 0, **instance_record(SENTENCE)}]
    assert "dev" not in record["candidates"][0]
    text = json.dumps(record)
    assert "toy/test#41" not in text and "toy/train#3" not in text  # an id would give the label away
    with_dev = episode_text_record(Episode("k", ("born_in",), (("toy/test#7",),), ("toy/test#41",), ("born_in",),
                                           dev=(("toy/test#41",),)), data)
    assert with_dev["candidates"][0]["dev"] == [instance_record(SENTENCE)]


def test_headers_and_gold_name_the_episode_file() -> None:
    header = text_header({"dataset": "fewrel", "split": "val_wiki", "n_way": 5, "extra": 1}, "ab" * 32, has_nota=True)
    assert header["format"] == TEXT_FORMAT and header["episode_file_sha256"] == "ab" * 32
    assert (header["dataset"], header["n_way"], header["seed"]) == ("fewrel", 5, None) and "extra" not in header
    assert header["nota_possible"] and header["nota_label"] == NOTA and NOTA in header["answer"]
    assert gold_header("cd" * 32) == {"format": GOLD_FORMAT, "episode_file_sha256": "cd" * 32}
    assert gold_record(Episode("e", ("r",), (("s",),), ("q1", "q2"), ("r", NOTA))) == {"episode_id": "e",
                                                                                         "labels": ["r", NOTA]}
