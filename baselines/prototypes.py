"""Prototype scoring shared by every metric-based method (proto, proto-desc, proto-ft, TKRE)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fsre_bench.types import NOTA, Episode


def normalize_rows(vectors: np.ndarray, parts: int = 1) -> np.ndarray:
    """L2-normalise each row, separately per equal-width part (head half and tail half)."""
    chunks = np.split(np.asarray(vectors, dtype=np.float32), parts, axis=-1)
    return np.concatenate([c / np.maximum(np.linalg.norm(c, axis=-1, keepdims=True), 1e-12) for c in chunks], axis=-1)


def prototypes(support_rows: Sequence[np.ndarray]) -> np.ndarray:
    """Mean support vector per relation: (N, D) from N arrays of shape (K_n, D) (ragged K allowed).

    A relation without supports (a K-shot label absent from the train split) gets a NaN row:
    ``cosine_scores`` turns it into -inf, so it can never be predicted.
    """
    width = next(rows.shape[1] for rows in support_rows if len(rows))
    return np.stack([rows.mean(axis=0) if len(rows) else np.full(width, np.nan, dtype=np.float32)
                     for rows in support_rows])


def support_matrix(vectors: dict[str, np.ndarray], ids: Sequence[str], width: int) -> np.ndarray:
    """(K, D) support vectors of one relation; (0, D) when it has none."""
    return np.stack([vectors[i] for i in ids]) if ids else np.zeros((0, width), dtype=np.float32)


def cosine_scores(queries: np.ndarray, protos: np.ndarray) -> np.ndarray:
    """(Q, N) cosine similarities; -inf for NaN prototypes."""
    q = queries / np.maximum(np.linalg.norm(queries, axis=-1, keepdims=True), 1e-12)
    p = protos / np.maximum(np.linalg.norm(protos, axis=-1, keepdims=True), 1e-12)
    scores = q @ np.nan_to_num(p).T
    scores[:, np.isnan(protos).any(axis=1)] = -np.inf
    return scores


def decide(scores: np.ndarray, episode: Episode, nota_threshold: float | None) -> tuple[str, ...]:
    """Nearest prototype wins; with a NOTA threshold, a best score below it answers NOTA."""
    best = scores.argmax(axis=1)
    labels = [episode.relations[i] for i in best]
    if nota_threshold is not None:
        top = scores.max(axis=1)
        labels = [NOTA if s < nota_threshold else lab for s, lab in zip(top, labels, strict=True)]
    return tuple(labels)


def best_nota_threshold(top_scores: np.ndarray, top_correct: np.ndarray, is_nota: np.ndarray) -> float:
    """The threshold maximising accuracy on calibration queries (NOTA iff top score < threshold).

    ``top_correct``: the arg-max relation is right (for non-NOTA queries); ``is_nota``: gold is NOTA.
    """
    candidates = np.unique(np.concatenate([top_scores, [top_scores.min() - 1e-6, top_scores.max() + 1e-6]]))
    order = np.argsort(top_scores)
    s, correct, nota = top_scores[order], top_correct[order], is_nota[order]
    # Queries below the threshold answer NOTA: right iff gold is NOTA; above: right iff argmax right.
    below_right = np.concatenate([[0], np.cumsum(nota)])
    above_right = np.concatenate([np.cumsum((correct & ~nota)[::-1])[::-1], [0]])
    positions = np.searchsorted(s, candidates, side="left")
    accuracy = below_right[positions] + above_right[positions]
    return float(candidates[int(np.argmax(accuracy))])
