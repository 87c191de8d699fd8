"""Splitting whole numbers (homes) by fractions without losing or inventing one."""

import numpy as np


def round_split(total: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """Split integer totals by fraction rows exactly: floors first, then the largest remainders get the
    homes still missing, so every row adds up to its total."""
    raw = total[:, None] * fractions
    counts = np.floor(raw).astype(np.int64)
    short = total - counts.sum(axis=1)
    order = np.argsort(-(raw - counts), axis=1)
    for j in range(fractions.shape[1]):
        counts[np.arange(len(total)), order[:, j]] += (short > j).astype(np.int64)
    return counts
