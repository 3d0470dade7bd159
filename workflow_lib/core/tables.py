"""Parquet output written atomically: a killed job never leaves a complete-looking table."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

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


def write_each(paths: Iterable[str | os.PathLike], tables: Iterable[tuple[pl.DataFrame, dict | None]]) -> None:
    """write_parquet of each (table, metadata) to its path, in order, as the tables come."""
    paths = list(paths)
    count = 0
    for path, (table, metadata) in zip(paths, tables):
        write_parquet(table, path, metadata)
        count += 1
    if count != len(paths):
        raise ValueError(f"{count} tables for {len(paths)} files: {paths[count] if count < len(paths) else paths}")
