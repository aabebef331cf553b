"""Offline "schema knowledge" explanations: templates over the entity strings and the relation's name.

Every template puts the subject first, the object last, and the relation's name (and, where
there is one, its description) between them, so the MSLM "relation span" (tokens strictly
between the mentions) holds the relation words. The spans are known by construction, never
searched for, so a description that happens to contain an entity string cannot move them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fsre_bench.types import Relation, RelationInstance
from tkre.knowledge.tokens import Span, tokenize


@dataclass(frozen=True, slots=True)
class Template:
    """``before`` SUBJ ``middle`` OBJ ``after``; ``middle`` holds {name} and {meaning}."""

    before: str
    middle: str
    after: str
    meaning: str  # wraps {description}; dropped when the relation has none


TEMPLATES: tuple[Template, ...] = (
    Template("", 'is connected by the relation " {name} "{meaning} to', ".", " , which means : {description} ,"),
    Template("In the sentence ,", 'has the relation " {name} "{meaning} with', ".", " ( {description} )"),
    Template("", "stands in the relation {name}{meaning} to", ".", " , defined as {description} ,"),
    Template("Here", ", through the relation {name}{meaning} , is linked to", ".", " ( meaning {description} )"),
    Template("As the sentence says ,", "is related by {name}{meaning} to", ".", " , that is , {description} ,"),
)


@dataclass(frozen=True, slots=True)
class TemplatedText:
    tokens: tuple[str, ...]
    head_span: Span
    tail_span: Span
    template: int


def schema_explanation(instance: RelationInstance, relation: Relation, template_index: int) -> TemplatedText:
    """The explanation for ``instance`` from template ``template_index`` (entities keep their tokens)."""
    template = TEMPLATES[template_index % len(TEMPLATES)]
    description = relation.description.strip().rstrip(".").strip()
    meaning = template.meaning.format(description=description) if description else ""
    middle = template.middle.format(name=relation.name, meaning=meaning)
    subject = tuple(instance.tokens[i] for i in instance.head[0])
    obj = tuple(instance.tokens[i] for i in instance.tail[0])
    before, between, after = tokenize(template.before), tokenize(middle), tokenize(template.after)
    head_start = len(before)
    tail_start = head_start + len(subject) + len(between)
    tokens = (*before, *subject, *between, *obj, *after)
    return TemplatedText(
        tokens, (head_start, head_start + len(subject)), (tail_start, tail_start + len(obj)),
        template_index % len(TEMPLATES),
    )
