"""Entity markers (typed punctuation) and the word-to-subword map every encoder-based method shares."""

from __future__ import annotations

from fsre_bench.encoders.entity_markers import (
    HEAD_MARK,
    TAIL_MARK,
    mark_spans,
    marked_words,
    plain_words,
    subword_spans,
    word_span_to_subwords,
)
from fsre_bench.types import RelationInstance

TYPED = RelationInstance(id="t#0", tokens=("Bob", "founded", "Acme", "Corp", "."), head=((2, 3),), tail=((0,),),
                         label="org:founded_by", head_type="ORGANIZATION", tail_type="PERSON")


def test_typed_markers_wrap_both_entities_and_spans_follow_the_words() -> None:
    marked = marked_words(TYPED)
    assert marked.words == ("#", "^", "person", "^", "Bob", "#", "founded", "@", "*", "organization", "*", "Acme",
                            "Corp", "@", ".")
    assert marked.words[slice(*marked.head)] == ("Acme", "Corp") and marked.words[slice(*marked.tail)] == ("Bob",)
    assert (marked.words[marked.head_marker], marked.words[marked.tail_marker]) == (HEAD_MARK, TAIL_MARK)
    assert (marked.head_marker, marked.tail_marker) == (7, 0)
    untyped = marked_words(TYPED, typed=False)
    assert untyped.words == ("#", "Bob", "#", "founded", "@", "Acme", "Corp", "@", ".")


def test_adjacent_entities_close_before_they_open() -> None:
    marked = mark_spans(("a", "b"), (0, 1), (1, 2))
    assert marked.words == ("@", "a", "@", "#", "b", "#")  # the head's closing marker precedes the tail's opening one
    assert (marked.head, marked.tail, marked.head_marker, marked.tail_marker) == ((1, 2), (4, 5), 0, 3)
    plain = plain_words(TYPED)
    assert (plain.words, plain.head, plain.tail, plain.head_marker) == (TYPED.tokens, (2, 4), (0, 1), None)


def test_words_map_to_their_subwords_and_truncated_words_to_none() -> None:
    word_ids = [None, 0, 0, 1, 2, 2, 2, None]  # [CLS] w0 w0 w1 w2 w2 w2 [SEP]; word 3 truncated
    spans = subword_spans(word_ids, 4)
    assert spans == [(1, 3), (3, 4), (4, 7), None]
    assert word_span_to_subwords(spans, 0, 2) == (1, 4) and word_span_to_subwords(spans, 2, 3) == (4, 7)
    assert word_span_to_subwords(spans, 2, 4) is None and word_span_to_subwords(spans, 1, 1) is None
