"""TKRE knowledge: SCDG filters and their counts, bounded rounds, EDKG clean-up, char offsets -> token spans.

The LLM side goes through the real LLM client against a real loopback HTTP server whose replies
are chosen per prompt (tests/support/llm_servers.py), so every reply kind is hit on purpose.
"""

from __future__ import annotations

from pathlib import Path

from fsre_bench.llm import LLMConfig
from fsre_bench.types import Relation, RelationInstance
from tests.support.llm_servers import FaultServer
from tkre.knowledge import generate_explanations, generate_synthetic
from tkre.knowledge.scdg_filters import SampleFilter, split_samples
from tkre.knowledge.tokens import char_span_to_token_span, tokenize_with_offsets

TYPES = ("PERSON", "ORGANIZATION", "LOCATION", "OTHER")
RELATIONS = {"P1": Relation("P1", "founded by", "the founder of the subject"),
             "P2": Relation("P2", "located in", "where the subject is")}


def _line(relation: str, context: str, head: str, tail: str, head_type: str = "ORGANIZATION",
          tail_type: str = "PERSON") -> str:
    return (f"Relation: {relation}. Context: {context} Head Entity: {head} . Head Type: {head_type} . "
            f"Tail Entity: {tail} . Tail Type: {tail_type} .")


def test_each_filter_rejects_and_counts_its_lines() -> None:
    sample_filter = SampleFilter(TYPES, typed=False, real_contexts=["Acme was founded by Jo Smith ."])
    candidates = [
        "",  # empty
        "Sure, here are some samples!",  # not the line format
        _line("located in", "Acme was founded by Ann Lee .", "Acme", "Ann Lee"),  # off-schema relation
        _line("founded by", "Acme was founded by Ann Lee .", "Acme", "Ann Lee", head_type="COMPANY"),  # type not allowed
        _line("founded by", "Globex was founded by Ann Lee .", "Acme", "Ann Lee"),  # head not in context
        _line("founded by", "Acme was founded by Ann Lee .", "Acme", "Bob Ray"),  # tail not in context
        _line("founded by", "Acme was founded by Ann Lee .", "Acme", "Acme"),  # both entities the same tokens
        _line("founded by", "acme  was founded by jo smith .", "Acme", "Jo Smith"),  # a real context again
        _line("founded by", "Initech was started by Ann Lee .", "Initech", "Ann Lee"),  # valid
        _line("founded by", "Initech was started by Ann Lee .", "Initech", "Ann Lee"),  # duplicate of the valid one
        _line("founded by", "Partyline was founded by Art Cole .", "Partyline", "art"),  # valid: the word "Art"
    ]
    accepted = [sample_filter.check(text, "founded by") for text in candidates]
    stats = sample_filter.stats()
    assert stats["lines"] == len(candidates)
    assert stats["rejected"] == {"unparseable": 2, "wrong_relation": 1, "bad_type": 1, "head_not_in_context": 1,
                                 "tail_not_in_context": 1, "entity_overlap": 1, "duplicate_context": 2}
    kept = [a for a in accepted if a is not None]
    assert len(kept) == 2
    # "art" matches the whole word "Art", never the inside of "Partyline"
    art = kept[1]
    assert art.tokens[art.tail_span[0]:art.tail_span[1]] == ("Art",)


def test_char_offsets_map_to_the_entity_tokens_not_one_token_left() -> None:
    context = "In 1998 , Larry Page co-founded Google in Menlo Park ."
    tokens = tokenize_with_offsets(context)
    start = context.index("Menlo Park")
    span = char_span_to_token_span(tokens, start, start + len("Menlo Park"))
    words = [t.text for t in tokens]
    assert span is not None and words[span[0]:span[1]] == ["Menlo", "Park"]
    # The reference release shifts every entity not at token 0 one token left; pin that we do not.
    assert words[span[0] - 1:span[1] - 1] != ["Menlo", "Park"]
    head = char_span_to_token_span(tokens, 0, 2)  # an entity at token 0 stays at token 0
    assert head == (0, 1)
    assert char_span_to_token_span(tokens, context.index("oogle"), context.index("oogle") + 5) is None  # inside a word


def _instances() -> list[RelationInstance]:
    rows = [("P1", "Acme was founded by Jo Smith in 1990 .", (0, 1), (4, 6)),
            ("P1", "Globex , a firm started by Ann Lee , grew .", (0, 1), (6, 8)),
            ("P2", "Acme is located in Paris .", (0, 1), (4, 5)),
            ("P2", "The museum sits in Rome today .", (1, 2), (4, 5)),
            ("P2", "The bank is in Oslo .", (1, 2), (4, 5))]
    return [RelationInstance(f"toy/train#{i}", tuple(text.split()), (tuple(range(*h)),), (tuple(range(*t)),), label)
            for i, (label, text, h, t) in enumerate(rows)]


def _scdg_answer(messages: list[dict]) -> str:
    """Valid samples for "founded by"; only off-schema and invented-entity lines for "located in"."""
    prompt = messages[-1]["content"]
    if 'new samples of the relation "founded by"' in prompt:
        return "Here you go:\n" + "\n".join([
            _line("founded by", "Initech was founded by Bill Lumbergh in 1988 .", "Initech", "Bill Lumbergh"),
            _line("founded by", "Hooli was set up by Gavin Belson .", "Hooli", "Gavin Belson"),
        ])
    return "\n".join([_line("capital of", "Rome is the capital of Italy .", "Rome", "Italy", "LOCATION", "LOCATION"),
                      _line("located in", "The tower stands tall .", "Eiffel Tower", "Paris", "LOCATION", "LOCATION")])


def test_scdg_rounds_are_bounded_and_a_relation_with_nothing_valid_is_reported(tmp_path: Path) -> None:
    with FaultServer(answer=_scdg_answer) as server:
        llm = LLMConfig.from_dict({"mode": "remote", "base_url": server.base_url, "cache_path": str(tmp_path / "c.sqlite"),
                                   "concurrency": 1})
        artifact = generate_synthetic(_instances(), RELATIONS, source="llm", llm=llm, dataset="toy/train",
                                      per_relation=4, max_rounds=3, seed=0)
        requests = server.counters.total
    stats = artifact.stats
    assert stats["relations_without_valid"] == ["P2"]
    assert stats["per_relation"]["P2"]["rounds"] == 3 and stats["per_relation"]["P1"]["rounds"] == 3
    assert requests == 6  # 2 relations x 3 rounds, then it stops (P1 never reaches 4 new contexts)
    assert stats["rejected"]["wrong_relation"] == 3 and stats["rejected"]["head_not_in_context"] == 3
    assert stats["rejected"]["duplicate_context"] == 4  # P1's later rounds repeat its two contexts
    assert [inst.label for inst in artifact.instances] == ["P1", "P1"]
    first = artifact.instances[0]
    assert first.head_text == "Initech" and first.tail_text == "Bill Lumbergh"
    assert artifact.source == "llm:fault-test-model"


def _edkg_answer(messages: list[dict]) -> str:
    prompt = messages[-1]["content"]
    if "Globex" in prompt:
        return "   "  # empty: the LLM layer fails the request (never cached), EDKG counts it
    if "Oslo" in prompt:
        return "Sure!"  # nothing left once the preamble is stripped: dropped and counted
    if "museum" in prompt:
        return "Sure! Here is a short explanation: The museum is in Rome because it sits there."
    return "Acme names its founder in the sentence, so Acme is founded by Jo Smith."


def test_edkg_drops_empty_replies_strips_preambles_and_locates_entities(tmp_path: Path) -> None:
    with FaultServer(answer=_edkg_answer) as server:
        llm = LLMConfig.from_dict({"mode": "remote", "base_url": server.base_url, "cache_path": str(tmp_path / "c.sqlite")})
        artifact = generate_explanations(_instances(), RELATIONS, source="llm", llm=llm, dataset="toy/train",
                                         per_relation=6, seed=0)
    stats = artifact.stats
    assert (stats["requests"], stats["failed_requests"], stats["empty_replies"]) == (5, 1, 1)
    assert stats["preambles_stripped"] == 2 and stats["failure_errors"] == ["empty reply"]
    texts = {r["instance_id"]: r["text"] for r in artifact.records}
    assert sorted(texts) == ["toy/train#0", "toy/train#2", "toy/train#3"]
    assert texts["toy/train#3"].startswith("The museum is in Rome")
    acme = next(ex for ex in artifact.examples if ex.instance_id == "toy/train#0")
    assert acme.tokens[acme.head_span[0]:acme.head_span[1]] == ("Acme",)
    assert acme.tokens[acme.tail_span[0]:acme.tail_span[1]] == ("Jo", "Smith")
    museum = next(ex for ex in artifact.examples if ex.instance_id == "toy/train#3")
    assert museum.tokens[museum.tail_span[0]:museum.tail_span[1]] == ("Rome",)


def test_a_reply_holding_no_sample_yields_none_instead_of_crashing() -> None:
    """SmolLM2 answered FewRel relations with prose only; the split crashed on it (zip strict) and took TKRE down."""
    assert split_samples("I'm sorry, I cannot help with that.") == []
    assert split_samples("") == []
    assert split_samples("Sure!\nRelation: r. Context: a b.") == ["Relation: r. Context: a b."]
