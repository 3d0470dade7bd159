"""Parquet output written atomically: a killed job never leaves a complete-looking table."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl


def with_identity(table: pl.DataFrame, identity: dict) -> pl.DataFrame:
    """`table` with constant identity columns (role, algo, seed, ...) in front, so that the rows of
    several policies or pairs can be concatenated into one file."""
    return table.select(*(pl.lit(v).alias(k) for k, v in identity.items()), pl.all())


def write_parquet(table: pl.DataFrame, path: str | os.PathLike, metadata: dict | None = None) -> None:
    """Write to a temporary name beside `path`, then rename (atomic on one filesystem)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    table.write_parquet(tmp, metadata={k: str(v) for k, v in (metadata or {}).items()} or None)
    os.replace(tmp, path)
