"""ICL prompt pieces and reply parsing: options, entity marks, demo budgets, robust answer reading."""

from __future__ import annotations

import pytest

from baselines.icl_demos import episode_demos, take_within_budget
from baselines.icl_parse import parse_answer, split_batch_reply
from baselines.icl_prompts import (
    build_options,
    demo_block,
    estimate_tokens,
    marked_sentence,
    single_query_prompt,
)
from fsre_bench.types import NOTA, Episode, EpisodeData, Relation, RelationInstance

RELATIONS = {
    "P1": Relation("P1", "location", "where it is"),
    "P2": Relation("P2", "location of formation", "where it was formed"),
    "P3": Relation("P3", "mother", ""),
}


def instance(i: int, label: str = "P1", words: int = 6) -> RelationInstance:
    tokens = tuple(["Alice", "met", "Bob", "in", "Paris", "."] + [f"w{j}" for j in range(words - 6)])
    return RelationInstance(f"t#{i}", tokens, ((0,),), ((4,),), label)


def test_options_letter_the_relations_in_order_and_add_nota_last() -> None:
    options = build_options(["P3", "P1", "X_unknown-label"], RELATIONS, has_nota=True)
    assert [(o.label, o.relation) for o in options] == [
        ("A", "P3"),
        ("B", "P1"),
        ("C", "X_unknown-label"),
        ("D", NOTA),
    ]
    assert options[2].name == "X unknown label"
    many = build_options([f"R{i}" for i in range(30)], {}, has_nota=False)
    assert many[0].label == "1" and many[-1].label == "30"


def test_marked_sentence_handles_order_multiword_and_adjacent_spans() -> None:
    inst = RelationInstance(
        "x", ("The", "Cape", "Bridge", "crosses", "the", "river"), ((1, 2),), ((5,),), "P1"
    )
    assert marked_sentence(inst) == "The <H>Cape Bridge</H> crosses the <T>river</T>"
    tail_first = RelationInstance("y", ("a", "b", "c"), ((2,),), ((0, 1),), "P1")
    assert marked_sentence(tail_first) == "<T>a b</T> <H>c</H>"
    adjacent = RelationInstance("z", ("a", "b"), ((0,),), ((1,),), "P1")
    assert marked_sentence(adjacent) == "<H>a</H> <T>b</T>"


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("B", "P1"),
        ("b", "P1"),
        ("B.", "P1"),
        ("(B)", "P1"),
        ("**B**", "P1"),
        ("Answer: B", "P1"),
        ("The answer is B.", "P1"),
        ("Option B", "P1"),
        ("B. location", "P1"),
        ("  C\nbecause", "P2"),
        ("location of formation", "P2"),
        ("The relation is location.", "P1"),
        ("mother", "P3"),
        ("P3", "P3"),
        ("None of the above.", NOTA),
        ("D", NOTA),
        ("I think the answer is C", "P2"), ("You are correct, the answer is: C", "P2"),
        ("", None),
        ("%%% lorem", None),
        ("Z", None),
        ("A place in the world", None),
    ],
)
def test_parse_answer(reply: str, expected: str | None) -> None:
    options = build_options(["P3", "P1", "P2"], RELATIONS, has_nota=True)
    assert parse_answer(reply, options) == expected


def test_nota_words_only_count_when_the_setting_has_nota() -> None:
    assert parse_answer("none of the above", build_options(["P1", "P3"], RELATIONS, has_nota=False)) is None


def test_split_batch_reply_reads_numbered_lines() -> None:
    reply = "Q1: B\nQ2) c\n3. none of the above\nsomething else\nQ1: A"
    assert split_batch_reply(reply, 4) == ["B", "c", "none of the above", None]
    assert split_batch_reply(None, 2) == [None, None]


def test_demos_respect_max_demos_budget_and_stay_balanced_and_seeded() -> None:
    instances = {f"t#{i}": instance(i, f"P{1 + i % 3}") for i in range(15)}
    episode = Episode(
        "e0",
        ("P1", "P2", "P3"),
        tuple(tuple(f"t#{i}" for i in range(r, 15, 3)) for r in range(3)),
        ("t#0",),
        ("P1",),
    )
    data = EpisodeData(instances=instances, relations=RELATIONS)
    option_of = {o.relation: o for o in build_options(episode.relations, RELATIONS, False)}
    full = episode_demos(episode, data, option_of, seed=0, max_demos=None, budget=None, fixed_tokens=0)
    assert len(full) == 15
    assert full == episode_demos(
        episode, data, option_of, seed=0, max_demos=None, budget=None, fixed_tokens=0
    )
    assert full != episode_demos(
        episode, data, option_of, seed=1, max_demos=None, budget=None, fixed_tokens=0
    )
    six = episode_demos(episode, data, option_of, seed=0, max_demos=6, budget=None, fixed_tokens=0)
    assert sorted(o.relation for _, o in six) == ["P1", "P1", "P2", "P2", "P3", "P3"]
    budget = episode_demos(episode, data, option_of, seed=0, max_demos=None, budget=100, fixed_tokens=40)
    used = 40 + sum(estimate_tokens(demo_block([d])) for d in budget)
    assert 0 < len(budget) < 15 and used <= 100 + 8 * len(budget)


def test_budget_stops_rather_than_skipping() -> None:
    option = build_options(["P1"], RELATIONS, False)[0]
    demos = [(instance(0, words=6), option), (instance(1, words=200), option), (instance(2, words=6), option)]
    assert len(take_within_budget(demos, None, budget=80, used=0)) == 1


def test_prompt_ends_with_the_query_so_an_episode_shares_a_prefix() -> None:
    options = build_options(["P1", "P2"], RELATIONS, False)
    demos = demo_block([(instance(1), options[0])])
    first = single_query_prompt(options, demos, instance(2))
    second = single_query_prompt(options, demos, RelationInstance("q", ("x", "y"), ((0,),), ((1,),), "P2"))
    shared = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), len(first))
    assert shared > len(first) - 140  # only the query's own lines (and the reminder after them) differ
