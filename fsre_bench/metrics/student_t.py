"""The one Student-t implementation every reported interval and t-test uses (vectorised over leading axes)."""

from __future__ import annotations

import numpy as np
from scipy import stats


def t_quantile(df: float | np.ndarray, confidence: float = 0.95) -> np.ndarray | float:
    """Two-sided quantile of Student's t (``df`` may be fractional: Satterthwaite degrees of freedom)."""
    return stats.t.ppf(0.5 + confidence / 2, df)


def t_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval of the mean along the last axis (vectorised: leading axes are independent sets)."""
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[-1]
    if n < 2:
        raise ValueError("a t-interval over seeds needs at least 2 seeds")
    mean = values.mean(axis=-1)
    half = t_quantile(n - 1, confidence) * values.std(axis=-1, ddof=1) / np.sqrt(n)
    return mean - half, mean + half


def t_test_p(deltas: np.ndarray) -> float:
    """Two-sided one-sample t-test of mean Δ = 0 (1.0 when every seed has the same Δ of 0)."""
    deltas = np.asarray(deltas, dtype=np.float64)
    spread = deltas.std(ddof=1)
    if spread == 0:
        return 1.0 if deltas.mean() == 0 else 0.0
    statistic = deltas.mean() / (spread / np.sqrt(len(deltas)))
    return float(2 * stats.t.sf(abs(statistic), len(deltas) - 1))
