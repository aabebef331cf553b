"""Which training relations a leaderboard row learned from, so rows trained on other data never share a ranking.

A FewRel table's trained rows either learned FewRel's own training relations (as the literature
does) or another dataset's (SemEval's: a cross-domain setting no paper reports). Each kind gets
its own table; untrained rows stand in the first one.
"""

from __future__ import annotations

from typing import Any

from fsre_bench.results.flags import training_splits

# How the leaderboard names the training data it knows (others show by name).
TRAINING_DESCRIPTIONS = {
    "fewrel/train_wiki": "FewRel train_wiki (64 relations, 44,800 sentences)",
    "fewrel/train_opennre": "FewRel train_wiki (64 relations, 44,800 sentences; OpenNRE's copy)",
    "fewrel/train_offline": "FewRel's 64 training relations, offline from Wiki80 (7,558 sentences, ~17% of train_wiki)",
    "semeval2010/train": "SemEval-2010's relations",
}


def training_group(result: dict[str, Any]) -> str:
    """"" for a row of its table's main ranking (untrained, K-shot, or trained on the evaluation dataset's own
    training relations); else the training data that makes it cross-domain (e.g. ``semeval2010/train``)."""
    if result["protocol"] == "kshot":
        return ""  # K-shot methods train on the K-shot split of the evaluation dataset itself
    splits = training_splits(result)
    foreign = [name for name in splits if name.split("/", 1)[0] != result["dataset"]["name"]]
    return ", ".join(foreign)


def describe_training(name: str) -> str:
    return TRAINING_DESCRIPTIONS.get(name, name)


def group_heading(group: str) -> str:
    """What a cross-domain table's title adds, and the sentence under it."""
    return f" · cross-domain: trained on {group}"


def group_note(group: str, dataset: str) -> str:
    return (f"_Cross-domain: the trained rows here learned from {describe_training(group)}, not from "
            f"{dataset.split('/', 1)[0]}'s own training relations; no paper reports this setting, so compare these "
            "rows with each other, not with the table above or the literature._")
