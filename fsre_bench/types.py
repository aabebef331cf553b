"""The canonical data types every step of the flow shares (see DESIGN.md, "The contracts")."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

# Gold or predicted label of a query whose relation is none of the episode's N relations.
NOTA = "__nota__"
# Predicted label of a query a method could not answer usably (an LLM named no option, or its request
# failed after retries). Never a relation: always counted wrong, never dropped.
UNPARSED = "__unparsed__"

Mention = tuple[int, ...]  # sorted token positions of one entity mention (may be non-contiguous)


@dataclass(frozen=True, slots=True)
class RelationInstance:
    """One labelled sentence with a head and a tail entity.

    ``id`` is stable: ``"<dataset name>/<split>#<index in file>"``. ``head``/``tail`` keep every
    mention the source lists; methods use the first (as the FewRel toolkit does).
    """

    id: str
    tokens: tuple[str, ...]
    head: tuple[Mention, ...]
    tail: tuple[Mention, ...]
    label: str
    head_type: str | None = None
    tail_type: str | None = None

    @property
    def head_span(self) -> tuple[int, int]:
        """[start, end) token span covering the first head mention."""
        return _span(self.head[0])

    @property
    def tail_span(self) -> tuple[int, int]:
        """[start, end) token span covering the first tail mention."""
        return _span(self.tail[0])

    @property
    def head_text(self) -> str:
        return " ".join(self.tokens[i] for i in self.head[0])

    @property
    def tail_text(self) -> str:
        return " ".join(self.tokens[i] for i in self.tail[0])

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _span(mention: Mention) -> tuple[int, int]:
    return (mention[0], mention[-1] + 1)


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation label with its human-readable name and description (empty where unknown)."""

    id: str
    name: str
    description: str = ""


@dataclass
class Dataset:
    """One split of one dataset: relations in file order and their instances in file order."""

    name: str
    split: str
    relations: dict[str, Relation]
    instances: dict[str, tuple[RelationInstance, ...]]
    source_sha256: str
    source_path: str = ""
    # The label that means "no relation" (SemEval "Other", TACRED "no_relation"); None for FewRel.
    negative_label: str | None = None
    # Sorted entity-type vocabulary where the dataset has types (TACRED); empty otherwise.
    entity_types: tuple[str, ...] = ()
    # A patched TACRED split (TACREV, Re-TACRED): what the patch did (``tacred.PatchReport.to_dict()``).
    patch_report: dict[str, Any] | None = None
    # A dataset built on load from other files (fewrel/train_offline): what the build kept and dropped,
    # with ``line``, the one-line report the run prints; result files keep it.
    build_report: dict[str, Any] | None = None

    @cached_property
    def by_id(self) -> dict[str, RelationInstance]:
        return {inst.id: inst for group in self.instances.values() for inst in group}

    def all_instances(self) -> Iterator[RelationInstance]:
        for group in self.instances.values():
            yield from group

    def __len__(self) -> int:
        return sum(len(group) for group in self.instances.values())

    @property
    def positive_relations(self) -> list[str]:
        return [r for r in self.relations if r != self.negative_label]


@dataclass(frozen=True, slots=True)
class Episode:
    """N relations, their supports, and the queries to label; ids only, never text.

    A K-shot RC run is one episode: supports = the K-shot train set (ragged where a label has
    fewer examples), ``dev`` = the K-shot dev set, queries = the full test set.
    """

    id: str
    relations: tuple[str, ...]
    support: tuple[tuple[str, ...], ...]
    queries: tuple[str, ...]
    labels: tuple[str, ...]  # gold per query: one of ``relations`` or NOTA
    dev: tuple[tuple[str, ...], ...] | None = None

    def __post_init__(self) -> None:
        if len(self.support) != len(self.relations):
            raise ValueError(f"episode {self.id}: {len(self.relations)} relations but {len(self.support)} support sets")
        if len(self.queries) != len(self.labels):
            raise ValueError(f"episode {self.id}: {len(self.queries)} queries but {len(self.labels)} labels")

    @property
    def n_way(self) -> int:
        return len(self.relations)


@dataclass
class EpisodeData:
    """What ``Method.predict`` reads instances and relation metadata from.

    ``instances`` resolves every id any episode mentions (supports may come from a train split
    and queries from a test split). ``has_nota`` says whether NOTA is a possible answer.
    """

    instances: Mapping[str, RelationInstance]
    relations: Mapping[str, Relation]
    protocol: str = "episodic"  # "episodic" | "natural-nota" | "kshot"
    has_nota: bool = False
    negative_label: str | None = None
    entity_types: tuple[str, ...] = ()
    dataset_name: str = ""

    def get(self, ids: Sequence[str]) -> list[RelationInstance]:
        return [self.instances[i] for i in ids]


@dataclass
class EpisodePrediction:
    """A method's answers for one episode, one label per query (a relation id or NOTA).

    ``details`` holds per-query deterministic facts worth logging (an ICL prompt hash, raw reply,
    parse_ok); ``volatile`` holds what changes between identical runs (latency, cache hit), kept
    out of the byte-stable predictions log.
    """

    episode_id: str
    labels: tuple[str, ...]
    details: list[dict[str, Any]] | None = None
    volatile: list[dict[str, Any]] | None = None
    failures: int = 0  # queries the method could not answer (counted wrong, never dropped)


@dataclass
class MethodMeta:
    """What a result file and the leaderboard say about a method (MTEB's ModelMeta, for FSRE)."""

    name: str
    type: str  # "floor" | "metric" | "trained" | "icl"
    backbone: str | None = None
    parameters: int | None = None
    training_data: str | None = None  # e.g. "semeval2010/train"; None = saw no training relations
    training_relations: list[str] = field(default_factory=list)
    knowledge_source: str | None = None  # TKRE: "llm:<model>" | "schema" | None
    description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
