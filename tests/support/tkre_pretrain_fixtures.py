"""Shared fixtures for the tkre.pretrain tests (no tests here): offline env, a temp cache, small texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.shared_data import SHARED_DATA
from tkre.pretrain import PretrainConfig
from tkre.types import KnowledgeExample

SEMEVAL_TRAIN = SHARED_DATA / "semeval2010" / "train.txt"

# Small enough for seconds per run on 2 shared cores, big enough for 2 steps per epoch and
# several relations per batch (in-batch anchor negatives). One torch thread: gentle on a shared
# machine, and every run compared bitwise uses the same thread count.
TINY_CONFIG = PretrainConfig(stage1_epochs=2, stage2_epochs=2, batch_size=8, max_length=64, seed=7, num_threads=1,
                             mlm_warmup_steps=3)


@pytest.fixture
def offline_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """FSRE_BENCH_CACHE in a temp dir and the HF hub offline, for one test."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("FSRE_BENCH_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    return cache


def semeval_examples(
    per_relation: int = 2, relations: int = 6, max_words: int = 22
) -> list[KnowledgeExample]:
    """The first short sentences of a few SemEval relations as "sentence" knowledge examples."""
    picked: dict[str, list[KnowledgeExample]] = {}
    with SEMEVAL_TRAIN.open(encoding="utf-8") as handle:
        for index, line in enumerate(handle):
            record = json.loads(line)
            label = record["relation"]
            if len(record["token"]) > max_words or label == "Other":
                continue
            if label not in picked and len(picked) == relations:
                continue
            group = picked.setdefault(label, [])
            if len(group) < per_relation:
                group.append(
                    KnowledgeExample(
                        relation=label,
                        tokens=tuple(record["token"]),
                        head_span=tuple(record["h"]["pos"]),
                        tail_span=tuple(record["t"]["pos"]),
                        source="sentence",
                        instance_id=f"semeval2010/train#{index}",
                    )
                )
            if len(picked) == relations and all(len(g) == per_relation for g in picked.values()):
                break
    return [ex for group in picked.values() for ex in group]


def explanation_examples(relations: list[str]) -> list[KnowledgeExample]:
    """Hand-written explanation-like texts: entities in either order, adjacent, one missing."""
    texts = [
        ("the engine is a component of the car because cars contain engines .", (1, 2), (7, 8)),
        ("because it holds the books , the shelf is where the books were put .", (6, 7), (3, 4)),
        ("the company founder started the company in a garage .", (1, 2), (5, 6)),
        ("the virus caused the flu outbreak in the town last year .", (1, 2), (4, 6)),
        ("rain water flows into the river during the spring .", (0, 2), (5, 6)),
        ("the apple tree grows apples every autumn .", (1, 3), (4, 5)),
        ("steel knife blades cut well .", (0, 1), (1, 3)),  # adjacent mentions: no relation span
        ("the message was sent by the author to the editor .", (1, 2), None),  # tail missing
    ]
    return [
        KnowledgeExample(
            relations[i % len(relations)], tuple(text.split()), head, tail, "explanation", f"hand#{i}"
        )
        for i, (text, head, tail) in enumerate(texts)
    ]


def tiny_pretrain_set() -> tuple[list[KnowledgeExample], list[str]]:
    """16 texts over 6 relations: 12 SemEval sentences + 4 hand-written explanations, of which
    one has adjacent mentions and one a missing tail (2 texts without a relation span)."""
    sentences = semeval_examples(per_relation=2, relations=6)
    relations = sorted({ex.relation for ex in sentences})
    explanations = explanation_examples(relations)
    return sentences + [explanations[i] for i in (0, 1, 6, 7)], relations
