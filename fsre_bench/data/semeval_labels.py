"""Readable names and one-sentence descriptions of the SemEval-2010 Task 8 labels.

Written for this project from the task's definitions. In every SemEval file fsre-bench reads
(OpenNRE JSONL and the FewRel-format ``val_semeval.json``) the head entity is e1 and the tail
entity is e2, so "(e1,e2)" labels read head -> tail and "(e2,e1)" labels read tail -> head.
"""

from __future__ import annotations

from fsre_bench.types import Relation

NEGATIVE_LABEL = "Other"

# label -> (readable name, description); the direction is spelled out in both.
SEMEVAL_RELATIONS: dict[str, tuple[str, str]] = {
    "Cause-Effect(e1,e2)": (
        "cause-effect: e1 causes e2",
        "The head entity (e1) is an event, object or condition that causes or produces the tail entity (e2).",
    ),
    "Cause-Effect(e2,e1)": (
        "cause-effect: e2 causes e1",
        "The head entity (e1) is an effect that the tail entity (e2) causes or produces.",
    ),
    "Instrument-Agency(e1,e2)": (
        "instrument-agency: e1 is the instrument used by agent e2",
        "The head entity (e1) is a tool or instrument that the agent named by the tail entity (e2) uses.",
    ),
    "Instrument-Agency(e2,e1)": (
        "instrument-agency: e1 is the agent using instrument e2",
        "The head entity (e1) is an agent that uses the tail entity (e2) as a tool or instrument.",
    ),
    "Product-Producer(e1,e2)": (
        "product-producer: e1 is produced by e2",
        "The head entity (e1) is a product that the tail entity (e2) makes, builds or creates.",
    ),
    "Product-Producer(e2,e1)": (
        "product-producer: e1 produces e2",
        "The head entity (e1) makes, builds or creates the product named by the tail entity (e2).",
    ),
    "Content-Container(e1,e2)": (
        "content-container: e1 is contained in e2",
        "The head entity (e1) is physically held or stored inside the container named by the tail entity (e2).",
    ),
    "Content-Container(e2,e1)": (
        "content-container: e1 contains e2",
        "The head entity (e1) is a container that physically holds or stores the tail entity (e2).",
    ),
    "Entity-Origin(e1,e2)": (
        "entity-origin: e1 comes from e2",
        "The head entity (e1) comes from, or is made or derived from, the place or material named by the tail entity (e2).",
    ),
    "Entity-Origin(e2,e1)": (
        "entity-origin: e1 is the origin of e2",
        "The head entity (e1) is the place or material that the tail entity (e2) comes from or is derived from.",
    ),
    "Entity-Destination(e1,e2)": (
        "entity-destination: e1 moves to e2",
        "The head entity (e1) moves, or is moved, towards or into the destination named by the tail entity (e2).",
    ),
    "Entity-Destination(e2,e1)": (
        "entity-destination: e2 moves to e1",
        "The head entity (e1) is the destination that the tail entity (e2) moves, or is moved, towards or into.",
    ),
    "Component-Whole(e1,e2)": (
        "component-whole: e1 is part of e2",
        "The head entity (e1) is a component or functional part of the whole named by the tail entity (e2).",
    ),
    "Component-Whole(e2,e1)": (
        "component-whole: e2 is part of e1",
        "The head entity (e1) is a whole that has the tail entity (e2) as one of its components or parts.",
    ),
    "Member-Collection(e1,e2)": (
        "member-collection: e1 is a member of e2",
        "The head entity (e1) is one member of the group or collection named by the tail entity (e2).",
    ),
    "Member-Collection(e2,e1)": (
        "member-collection: e2 is a member of e1",
        "The head entity (e1) is a group or collection that has the tail entity (e2) among its members.",
    ),
    "Message-Topic(e1,e2)": (
        "message-topic: e1 is a message about e2",
        "The head entity (e1) is a message or communication (written, spoken or other) whose topic is the tail entity (e2).",
    ),
    "Message-Topic(e2,e1)": (
        "message-topic: e1 is the topic of message e2",
        "The head entity (e1) is the topic of the message or communication named by the tail entity (e2).",
    ),
    NEGATIVE_LABEL: (
        "other",
        "None of the nine SemEval relation types holds between the head entity (e1) and the tail entity (e2).",
    ),
}


def semeval_relation(label: str) -> Relation | None:
    """The readable Relation for a SemEval label, or None if ``label`` is not one."""
    entry = SEMEVAL_RELATIONS.get(label)
    if entry is None:
        return None
    return Relation(id=label, name=entry[0], description=entry[1])
