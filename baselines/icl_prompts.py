"""ICL prompt text: candidate relations as lettered options, marked demonstrations, the query.

Everything that varies per query comes last, so the queries of one episode share one long
prompt prefix (llama.cpp reuses its evaluated prefix; remote providers discount cached prefixes).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from fsre_bench.types import NOTA, Relation, RelationInstance

PROMPT_VERSION = "icl-v2"  # bump when the prompt text changes (it is part of every cache key anyway)
NOTA_TEXT = "none of the above"
DESCRIPTION_CHARS = 160  # long Wikidata descriptions cost tokens and add little
# Measured against SmolLM2's BPE tokenizer on FewRel and SemEval sentences (benchmarks/README.md):
# ASCII text runs ~3.2 chars/token; other scripts (names in Tamil, Chinese...) about 1 token a char.
# With these two rates the estimate sums to 1.05-1.15x the true count over a prompt.
ASCII_CHARS_PER_TOKEN = 3.0
ANSWER_TOKENS = 12  # one option label plus room for "B. name"
BATCH_ANSWER_TOKENS_PER_QUERY = 8

SYSTEM_PROMPT = (
    "You classify the relation between two marked entities in a sentence. "
    "The head entity is marked <H>...</H> and the tail entity <T>...</T>."
)


@dataclass(frozen=True)
class Option:
    """One answer choice: the label the model writes, the relation id it stands for, its text."""

    label: str  # "A", "B", ... (or "1", "2", ... beyond 26 options)
    relation: str  # relation id or NOTA
    name: str
    description: str = ""


def relabel_options(options: Sequence[Option]) -> list[Option]:
    """The same options in the given order, lettered A, B, ... afresh (a rotation keeps what each names)."""
    labels = list(string.ascii_uppercase) if len(options) <= 26 else [str(i + 1) for i in range(len(options))]
    return [replace(option, label=label) for label, option in zip(labels, options, strict=False)]  # labels: 26+


def build_options(relation_ids: Sequence[str], relations: Mapping[str, Relation], has_nota: bool) -> list[Option]:
    """Lettered options in episode order, plus "none of the above" last where the setting has NOTA."""
    total = len(relation_ids) + (1 if has_nota else 0)
    labels = list(string.ascii_uppercase) if total <= 26 else [str(i + 1) for i in range(total)]
    options = []
    for label, rel_id in zip(labels, relation_ids, strict=False):
        relation = relations.get(rel_id)
        name = relation.name if relation and relation.name else readable_label(rel_id)
        description = relation.description if relation else ""
        options.append(Option(label, rel_id, name, _shorten(description)))
    if has_nota:
        options.append(Option(labels[len(relation_ids)], NOTA, NOTA_TEXT, "the sentence expresses none of the relations above"))
    return options


def readable_label(rel_id: str) -> str:
    """A label id made readable when the dataset gives no name (``per:city_of_birth`` -> ``per city of birth``)."""
    return re.sub(r"[_\-:/]+", " ", rel_id).strip() or rel_id


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DESCRIPTION_CHARS else text[: DESCRIPTION_CHARS - 3].rstrip() + "..."


def marked_sentence(instance: RelationInstance) -> str:
    """The sentence with <H>..</H> around the first head mention and <T>..</T> around the first tail."""
    inserts: list[tuple[int, int, str]] = []  # (position, order, text); closers before openers at one position
    for (start, end), opener, closer in ((instance.head_span, "<H>", "</H>"), (instance.tail_span, "<T>", "</T>")):
        inserts.append((start, 1, opener))
        inserts.append((end, 0, closer))
    inserts.sort()
    words: list[str] = []
    cursor = 0
    for position, _, marker in inserts:
        words.extend(instance.tokens[cursor:position])
        cursor = max(cursor, position)
        words.append(marker)
    words.extend(instance.tokens[cursor:])
    text = " ".join(words)
    return re.sub(r"(<[HT]>) ", r"\1", re.sub(r" (</[HT]>)", r"\1", text))


def describe_instance(instance: RelationInstance) -> str:
    return f"Sentence: {marked_sentence(instance)}\nHead: {instance.head_text} | Tail: {instance.tail_text}"


def options_block(options: Sequence[Option]) -> str:
    lines = []
    for option in options:
        text = f"{option.label}. {option.name}"
        if option.description:
            text += f": {option.description}"
        lines.append(text)
    return "Options:\n" + "\n".join(lines)


def demo_block(demos: Sequence[tuple[RelationInstance, Option]]) -> str:
    if not demos:
        return ""
    shown = [f"{describe_instance(inst)}\nAnswer: {option.label}" for inst, option in demos]
    return "Examples:\n\n" + "\n\n".join(shown)


def single_query_prompt(options: Sequence[Option], demos_text: str, query: RelationInstance) -> str:
    """One query: instruction, options, examples, then the query and "Answer:"."""
    instruction = (
        "Which option names the relation between the head entity and the tail entity of the last sentence? "
        f"Reply with the option letter only ({_label_range(options)})."
    )
    # The format reminder right before "Answer:" matters for small models (SmolLM2-135M parsed 10/15
    # replies without it, 15/15 with it; benchmarks/README.md).
    final = f"Now this one:\n{describe_instance(query)}\nReply with one letter ({_label_range(options)}).\nAnswer:"
    parts = [instruction, options_block(options), demos_text, final]
    return "\n\n".join(p for p in parts if p)


def batch_query_prompt(options: Sequence[Option], demos_text: str, queries: Sequence[RelationInstance]) -> str:
    """All queries of an episode in one prompt; the reply is one "Q<i>: <letter>" line per query."""
    instruction = (
        "For each numbered query sentence below, which option names the relation between its head entity "
        f"and its tail entity? Reply with one line per query, in the form \"Q1: {options[0].label}\", "
        f"using option letters only ({_label_range(options)})."
    )
    shown = [f"Q{i + 1}. {describe_instance(q)}" for i, q in enumerate(queries)]
    reminder = f"Reply with one line per query: Q<number>: <letter> ({_label_range(options)}).\nAnswers:"
    parts = [instruction, options_block(options), demos_text, "Queries:\n\n" + "\n\n".join(shown), reminder]
    return "\n\n".join(p for p in parts if p)


def _label_range(options: Sequence[Option]) -> str:
    return f"{options[0].label}-{options[-1].label}" if len(options) > 1 else options[0].label


def estimate_tokens(text: str) -> int:
    """A tokenizer-free, slightly high estimate, used only to keep prompts inside a budget."""
    ascii_chars = sum(1 for char in text if char < "\x80")
    return int(ascii_chars / ASCII_CHARS_PER_TOKEN + (len(text) - ascii_chars)) + 1


def batch_answer_tokens(n_queries: int) -> int:
    return BATCH_ANSWER_TOKENS_PER_QUERY * n_queries + 8
