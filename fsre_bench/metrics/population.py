"""The interval that generalises beyond these relations / this test set: seeds and clusters both random.

Today's intervals are conditional: the t over seeds treats FewRel's 16 val_wiki relations, or the
one SemEval test set every K-shot split shares, as fixed. A claim about *new* relations (or new test
sentences) must also count how much the score would move with other ones. Each unit is put in a
cluster (its gold relation for episodic protocols; its test sentence for K-shot) and the metric is
linearised per (seed, cluster) cell, so a cell's value averages to the seed's exact score:

    v[s, c] = m_s + (a[s, c] - m_s * b[s, c]) / mean_c b[s, c]

for a metric m = Σa / Σb (accuracy: correct / total; micro-F1: 2tp / (pred_pos + gold_pos)).
With seeds and clusters both random, a two-way random-effects decomposition of the S x C cell
matrix gives the variance of the grand mean,

    Var = (MS_seed + MS_cluster - MS_residual) / (S C)

(episode noise sits in the residual), with Satterthwaite's degrees of freedom for the t quantile.
The estimate is floored at the larger one-way term and the half-width at the t over seeds, so the
interval is never narrower than the one that holds the clusters fixed. With one seed it is a t over the clusters alone. Coverage is
measured by tests/test_metrics_population_coverage.py on simulations with relation effects and a shared test set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from fsre_bench.metrics.scores import CORRECT, GOLD_POS, PRED_POS, TOTAL, TRUE_POS
from fsre_bench.metrics.student_t import t_quantile

CI_OVER_RELATIONS = "t over relations and seeds (two-way random effects, Satterthwaite df; generalises to new relations)"
CI_OVER_SENTENCES = ("t over test sentences and splits (two-way random effects, Satterthwaite df; generalises to "
                     "new test sentences)")


def ratio_parts(metric: str, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Numerator and denominator of the metric from count rows of shape (..., 5)."""
    counts = np.asarray(counts, dtype=np.float64)
    if metric == "accuracy":
        return counts[..., CORRECT], counts[..., TOTAL]
    if metric == "micro_f1":
        return 2.0 * counts[..., TRUE_POS], counts[..., PRED_POS] + counts[..., GOLD_POS]
    raise ValueError(f"unknown metric {metric!r}")


def linearised_cells(metric: str, cell_counts: np.ndarray) -> np.ndarray:
    """(..., S, C) cell values from summed counts of shape (..., S, C, 5); mean over C = each seed's score."""
    numerator, denominator = ratio_parts(metric, cell_counts)
    seed_num, seed_den = numerator.sum(-1, keepdims=True), denominator.sum(-1, keepdims=True)
    score = np.divide(seed_num, seed_den, out=np.zeros_like(seed_num), where=seed_den > 0)
    scale = seed_den / cell_counts.shape[-2]
    return score + np.divide(numerator - score * denominator, scale, out=np.zeros_like(numerator), where=scale > 0)


def two_way_interval(cells: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Interval of the grand mean of (..., S, C) cells with seeds and clusters random (vectorised)."""
    cells = np.asarray(cells, dtype=np.float64)
    n_seeds, n_clusters = cells.shape[-2], cells.shape[-1]
    if n_clusters < 2:
        raise ValueError("a population interval needs at least 2 clusters")
    grand = cells.mean(axis=(-2, -1))
    if n_seeds == 1:
        variance, df = cells[..., 0, :].var(axis=-1, ddof=1) / n_clusters, np.full(grand.shape, n_clusters - 1.0)
        half = t_quantile(df, confidence) * np.sqrt(variance)
    else:
        variance, df = _two_way_variance(cells)
        # Never narrower than the t over seeds that holds the clusters fixed (Satterthwaite's df can exceed S - 1).
        seed_only = t_quantile(n_seeds - 1, confidence) * cells.mean(axis=-1).std(axis=-1, ddof=1) / np.sqrt(n_seeds)
        half = np.maximum(t_quantile(df, confidence) * np.sqrt(variance), seed_only)
    return grand - half, grand + half


def _two_way_variance(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n_seeds, n_clusters = cells.shape[-2], cells.shape[-1]
    seed_means, cluster_means = cells.mean(axis=-1), cells.mean(axis=-2)
    grand = seed_means.mean(axis=-1)
    ms_seed = n_clusters * seed_means.var(axis=-1, ddof=1)
    ms_cluster = n_seeds * cluster_means.var(axis=-1, ddof=1)
    residual = cells - seed_means[..., :, None] - cluster_means[..., None, :] + grand[..., None, None]
    df_residual = (n_seeds - 1) * (n_clusters - 1)
    ms_residual = (residual ** 2).sum(axis=(-2, -1)) / df_residual
    combined = ms_seed + ms_cluster - ms_residual
    # Satterthwaite: df of a linear combination of mean squares.
    with np.errstate(divide="ignore", invalid="ignore"):
        df = combined ** 2 / (ms_seed ** 2 / (n_seeds - 1) + ms_cluster ** 2 / (n_clusters - 1)
                              + ms_residual ** 2 / df_residual)
    floor = np.maximum(ms_seed, ms_cluster)
    floor_df = np.where(ms_seed >= ms_cluster, n_seeds - 1.0, n_clusters - 1.0)
    use_floor = ~(combined > floor)
    variance = np.where(use_floor, floor, combined) / (n_seeds * n_clusters)
    return variance, np.where(use_floor | ~np.isfinite(df), floor_df, df)


def cluster_counts(counts_per_seed: Sequence[np.ndarray], clusters_per_seed: Sequence[Sequence], clusters: Sequence
                   ) -> np.ndarray:
    """(S, C, 5) summed counts: per seed, the count rows of each unit added into its cluster's cell."""
    index = {cluster: i for i, cluster in enumerate(clusters)}
    cells = np.zeros((len(counts_per_seed), len(clusters), 5))
    for s, (counts, labels) in enumerate(zip(counts_per_seed, clusters_per_seed, strict=True)):
        np.add.at(cells[s], [index[label] for label in labels], np.asarray(counts, dtype=np.float64))
    return cells


def population_interval(metric: str, counts_per_seed: Sequence[np.ndarray], clusters_per_seed: Sequence[Sequence]
                        ) -> tuple[float, float]:
    """The generalising 95% CI of a result from its per-unit counts and each unit's cluster label."""
    clusters = sorted({label for labels in clusters_per_seed for label in labels})
    cells = linearised_cells(metric, cluster_counts(counts_per_seed, clusters_per_seed, clusters))
    lo, hi = two_way_interval(cells)
    return float(lo), float(hi)
