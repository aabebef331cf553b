"""The EDKG and SCDG prompts, the SCDG line format, and the entity-type vocabulary.

Bump ``PROMPT_VERSION`` whenever a prompt, the line format or the post-processing changes: it is
part of every knowledge artifact's key, so old artifacts are never mistaken for new ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from fsre_bench.types import Relation

PROMPT_VERSION = "tkre-knowledge-prompts/1"

# Types offered to the LLM for datasets without entity types (FewRel, SemEval). Coarse on
# purpose: a 135M model cannot use a fine inventory, and the filter only checks membership.
COARSE_ENTITY_TYPES: tuple[str, ...] = (
    "PERSON", "ORGANIZATION", "LOCATION", "DATE", "NUMBER", "EVENT", "WORK", "CONCEPT", "OBJECT", "OTHER",
)
# What untyped demonstrations show as their types: the honest "not annotated" placeholder,
# which is itself an allowed type (the prompt asks for a better one from the list).
UNTYPED_DEMO_TYPE = "OTHER"

EXPLANATION_MAX_TOKENS = 160
SYNTHETIC_TOKENS_PER_SAMPLE = 96


def normalise_type(name: str) -> str:
    """Upper-case, surrounding spaces and periods dropped, inner whitespace runs -> ``_``."""
    return "_".join(name.strip().strip(".").strip().upper().split())


def explanation_prompt(sentence: str, subject: str, obj: str, relation: Relation) -> str:
    """EDKG: why does the subject have the relation with the object in this sentence (one paragraph)."""
    meaning = f' The relation "{relation.name}" means: {relation.description.strip()}' if relation.description.strip() else ""
    return (
        f"Sentence: {sentence}\n"
        f'Subject: "{subject}". Object: "{obj}".{meaning}\n'
        f'Explain why the subject "{subject}" has the relation "{relation.name}" with the object "{obj}" '
        f"in the sentence above. Answer in one short paragraph."
    )


@dataclass(frozen=True, slots=True)
class SampleLine:
    """The fields of one SCDG line (``Relation: R. Context: ... Head Entity: ... . ...``)."""

    relation: str
    context: str
    head: str
    head_type: str
    tail: str
    tail_type: str

    def render(self) -> str:
        """The fixed line format the prompt shows and the parser reads."""
        return (
            f"Relation: {self.relation}. Context: {self.context} Head Entity: {self.head} . "
            f"Head Type: {self.head_type} . Tail Entity: {self.tail} . Tail Type: {self.tail_type} ."
        )


def synthetic_prompt(
    relation: Relation, demonstrations: Sequence[SampleLine], allowed_types: Sequence[str], n_samples: int,
    typed: bool,
) -> str:
    """SCDG: the sample schema, the allowed types, real demonstrations of R, and a request for more."""
    meaning = f' The relation "{relation.name}" means: {relation.description.strip()}' if relation.description.strip() else ""
    type_note = (
        "" if typed else
        f" The examples below are not annotated with entity types and show {UNTYPED_DEMO_TYPE}; "
        f"for new samples choose the best type from the list."
    )
    lines = [
        "You write training data for relation extraction. Each sample is one line in this format:",
        "Relation: <relation>. Context: <one sentence> Head Entity: <words copied from the context> . "
        "Head Type: <type> . Tail Entity: <words copied from the context> . Tail Type: <type> .",
        f"The head entity is the subject and the tail entity is the object of the relation.{meaning}",
        f"Allowed entity types: {', '.join(allowed_types)}.{type_note}",
        "",
        f'Examples of the relation "{relation.name}":',
        *(demo.render() for demo in demonstrations),
        "",
        f'Write {n_samples} new samples of the relation "{relation.name}", one per line, in exactly this format. '
        "Each context must be a new sentence that contains both entities word for word.",
    ]
    return "\n".join(lines)
