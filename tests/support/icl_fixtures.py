"""Hand-built episodes from the real shared FewRel file, and an oracle LLM answer for loopback servers."""

from __future__ import annotations

import random
import re
from functools import cache
from typing import Any

from fsre_bench.data import load_dataset
from fsre_bench.types import NOTA, Dataset, Episode, EpisodeData, RelationInstance
from tests.support.shared_data import SHARED_DATA

DATA_DIR = SHARED_DATA  # $FSRE_BENCH_DATA_DIR, else ../shared/datasets beside the repository


@cache
def val_wiki() -> Dataset:
    return load_dataset("fewrel/val_wiki", DATA_DIR)


def make_episodes(n_way: int, k_shot: int, n_episodes: int, seed: int = 0, queries_per_relation: int = 1,
                  nota_queries: int = 0) -> tuple[list[Episode], EpisodeData]:
    """Seeded N-way K-shot episodes (queries disjoint from supports), optionally with NOTA queries."""
    dataset = val_wiki()
    rng = random.Random(seed)
    relation_ids = list(dataset.instances)
    episodes = []
    for e in range(n_episodes):
        chosen = rng.sample(relation_ids, n_way)
        support, queries, labels = [], [], []
        for rel in chosen:
            picks = rng.sample(dataset.instances[rel], k_shot + queries_per_relation)
            support.append(tuple(p.id for p in picks[:k_shot]))
            queries += [p.id for p in picks[k_shot:]]
            labels += [rel] * queries_per_relation
        for _ in range(nota_queries):
            outside = rng.choice([r for r in relation_ids if r not in chosen])
            queries.append(rng.choice(dataset.instances[outside]).id)
            labels.append(NOTA)
        episodes.append(Episode(f"test-{n_way}-{k_shot}-{e}", tuple(chosen), tuple(support), tuple(queries), tuple(labels)))
    data = EpisodeData(instances=dataset.by_id, relations=dataset.relations, has_nota=nota_queries > 0)
    return episodes, data


def gold_by_query(episodes: list[Episode], data: EpisodeData) -> dict[tuple[str, str], str]:
    """(head text, tail text) of every query -> the gold option text the oracle should pick."""
    gold = {}
    for episode in episodes:
        for query_id, label in zip(episode.queries, episode.labels, strict=True):
            inst: RelationInstance = data.instances[query_id]
            gold[(inst.head_text, inst.tail_text)] = "none of the above" if label == NOTA else data.relations[label].name
    return gold


class Oracle:
    """An LLM stand-in that reads the prompt like a perfect model would and answers with the letter."""

    def __init__(self, gold: dict[tuple[str, str], str]) -> None:
        self.gold = gold
        self.prompts: list[str] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        prompt = messages[-1]["content"]
        self.prompts.append(prompt)
        letters = self._letters(prompt)
        query_part = prompt.split("Now this one:")[-1] if "Now this one:" in prompt else prompt.split("Queries:")[-1]
        pairs = re.findall(r"^Head: (.*) \| Tail: (.*)$", query_part, flags=re.MULTILINE)
        answers = [letters.get(self.gold.get(pair, ""), "?") for pair in pairs]
        if "Queries:" in prompt:
            return "\n".join(f"Q{i + 1}: {a}" for i, a in enumerate(answers))
        return answers[0]

    @staticmethod
    def _letters(prompt: str) -> dict[str, str]:
        block = prompt.split("Options:\n", 1)[1].split("\n\n", 1)[0]
        letters = {}
        for line in block.splitlines():
            label, _, rest = line.partition(". ")
            letters[rest.split(": ")[0] if ": " in rest else rest] = label
        return letters
