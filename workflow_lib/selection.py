"""Choosing policies from a statistics table (highlights, later pairs and examples)."""

from __future__ import annotations

import numpy as np
import polars as pl

DIVERSITY_COLUMNS = ("mean", "std", "skew", "ltp")


def diverse(table: pl.DataFrame, k: int, columns=DIVERSITY_COLUMNS) -> pl.DataFrame:
    """k rows spread over the statistics: farthest-point sampling in standardised coordinates,
    starting from the best mean return (deterministic; undefined values count as the median)."""
    if k <= 0 or table.height == 0:
        return table.head(0)
    x = table.select(columns).to_numpy().astype(np.float64)
    x = np.where(np.isnan(x), np.nanmedian(x, axis=0, keepdims=True), x)
    x = np.nan_to_num(x)  # a column with no defined value at all
    scale = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(scale > 0, scale, 1.0)
    chosen = [int(np.argmax(table["mean"].to_numpy()))]
    dist = np.linalg.norm(x - x[chosen[0]], axis=1)
    while len(chosen) < min(k, table.height):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(x - x[nxt], axis=1))
    return table[chosen]
