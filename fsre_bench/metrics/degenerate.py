"""Where predictions go: their distribution over answer positions and labels, and the degenerate rule.

A method that answers "A" to almost every query scores exactly 1/N per episode, and its tight
CI hides that it learned nothing. The rule (README "Degenerate outputs"):

    a result is degenerate when one answer position, or one label, takes >= 90% of its
    predictions while the gold answers put at most (that share - 30 points) there.

"Far" is that absolute gap of at least 30 percentage points: predicting `no_relation` for 92% of
TACRED queries whose gold is 80% `no_relation` is not degenerate (gap 12); answering "A" for
99.6% of 5-way queries whose gold is "A" 20% of the time is (gap 79.6).

A prediction's position is the index of its label in the episode's relation order (the order
ICL prompts letter the options in), ``nota`` for none-of-the-above, ``unparsed`` for an answer
that named no option.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from fsre_bench.types import NOTA

DEGENERATE_SHARE = 0.90
FAR_GAP = 0.30
NOTA_POSITION = "nota"
UNPARSED_POSITION = "unparsed"
_EPS = 1e-9


def answer_position(label: str, relations: Sequence[str]) -> str:
    if label == NOTA:
        return NOTA_POSITION
    return str(relations.index(label)) if label in relations else UNPARSED_POSITION


class DistributionCounts:
    """Predicted and gold positions and labels, counted episode by episode (a log is read once, in one pass).

    Seeds' counts merge into the pooled distribution: ``merge`` adds counts, zero entries kept (as ``+=`` keeps them).
    """

    KEYS = ("pred_positions", "gold_positions", "pred_labels", "gold_labels", "correct_by_gold_position")

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {key: Counter() for key in self.KEYS}

    def add(self, relations: Sequence[str], predicted: Sequence[str], gold: Sequence[str]) -> None:
        counts = self.counts
        for p, g in zip(predicted, gold, strict=True):
            gold_position = answer_position(g, relations)
            counts["pred_positions"][answer_position(p, relations)] += 1
            counts["gold_positions"][gold_position] += 1
            counts["pred_labels"][p] += 1
            counts["gold_labels"][g] += 1
            counts["correct_by_gold_position"][gold_position] += int(p == g)

    def merge(self, other: DistributionCounts) -> DistributionCounts:
        for key in self.KEYS:
            self.counts[key].update(other.counts[key])  # update, not +: a key counted 0 times stays
        return self

    def to_dict(self) -> dict[str, Any]:
        return {"n_predictions": sum(self.counts["pred_labels"].values()),
                **{key: dict(sorted(counter.items())) for key, counter in self.counts.items()}}


def prediction_distribution(episodes: Iterable[tuple[Sequence[str], Sequence[str], Sequence[str]]]) -> dict[str, Any]:
    """Counts of predicted and gold positions and labels over (relations, predicted, gold) per episode."""
    counts = DistributionCounts()
    for relations, predicted, gold in episodes:
        counts.add(relations, predicted, gold)
    return counts.to_dict()


def accuracy_by_gold_position(distribution: dict[str, Any]) -> dict[str, float]:
    """Position bias: accuracy on the queries whose gold answer sits at each position."""
    gold, correct = distribution["gold_positions"], distribution["correct_by_gold_position"]
    return {position: correct.get(position, 0) / n for position, n in gold.items() if n}


def degenerate_verdict(distribution: dict[str, Any], kinds: Sequence[str] = ("positions", "labels")
                       ) -> dict[str, Any] | None:
    """The first position or label that makes the result degenerate (see the module docstring), else None."""
    total = distribution["n_predictions"]
    if not total:
        return None
    for kind in kinds:
        predicted, gold = distribution[f"pred_{kind}"], distribution[f"gold_{kind}"]
        value, count = max(predicted.items(), key=lambda item: (item[1], item[0]))
        pred_share, gold_share = count / total, gold.get(value, 0) / total
        # Shares are ratios of counts: compare with a tolerance so exactly 90% / exactly 30 points count.
        if pred_share >= DEGENERATE_SHARE - _EPS and pred_share - gold_share >= FAR_GAP - _EPS:
            return {"kind": kind.removesuffix("s"), "value": value, "pred_share": round(pred_share, 4),
                    "gold_share": round(gold_share, 4)}
    return None
