"""Parquet output written atomically: a killed job never leaves a complete-looking table."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl


def write_parquet(table: pl.DataFrame, path: str | os.PathLike, metadata: dict | None = None) -> None:
    """Write to a temporary name beside `path`, then rename (atomic on one filesystem)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    table.write_parquet(tmp, metadata={k: str(v) for k, v in (metadata or {}).items()} or None)
    os.replace(tmp, path)
