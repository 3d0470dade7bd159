"""Parquet output written atomically: a killed job never leaves a complete-looking table."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Iterable

import numpy as np
import polars as pl

from workflow_lib.core.errors import BadInput, first_line


def with_identity(table: pl.DataFrame, identity: dict) -> pl.DataFrame:
    """`table` with constant identity columns (role, algo, seed, ...) in front, so that the rows of
    several policies or pairs can be concatenated into one file."""
    return table.select(*(pl.lit(v).alias(k) for k, v in identity.items()), pl.all())


class TableError(BadInput):
    """A Parquet table that cannot be read, or lacks columns a job reads; the message names the file."""


def _readable(path: str | os.PathLike, read):
    """read(path), with an error naming the file when it is missing, truncated or not Parquet
    (polars' own errors do not name it)."""
    try:
        return read(path)
    except FileNotFoundError:
        raise TableError(f"{path}: no such table") from None
    except Exception as exc:  # polars raises ComputeError, OSError, ... on foreign or truncated bytes
        raise TableError(f"{path}: not a readable Parquet table ({first_line(exc)})") from None


def read_table(path: str | os.PathLike, columns: list[str] | None = None) -> pl.DataFrame:
    """pl.read_parquet of `columns` (default: all), with an error naming the file when it is
    missing, truncated, not Parquet, or lacks one of `columns`. The columns are checked in the
    file's footer, and only they are read (a PURD's per-step rewards can be most of its bytes)."""
    if columns:
        present = list(_readable(path, pl.read_parquet_schema))
        missing = [c for c in columns if c not in present]
        if missing:
            raise TableError(f"{path}: lacks column(s) {', '.join(missing)} (it has {', '.join(present) or 'none'})")
    return _readable(path, functools.partial(pl.read_parquet, columns=columns))


def check_identity(path: str | os.PathLike, identity: dict) -> None:
    """A table written with its policy's identity in its Parquet metadata (PURD files) holds the
    policy its place names: a file copied or renamed into another policy's place is an error."""
    written = _readable(path, pl.read_parquet_metadata)
    wrong = [f"{k} {written[k]}, not {v}" for k, v in identity.items() if k in written and written[k] != str(v)]
    if wrong:
        raise TableError(f"{path}: holds another policy than its place says ({', '.join(wrong)})")


def non_finite(returns: np.ndarray) -> str | None:
    """'k of n returns are not finite (sample i: v)' if some are, else None: what the PURD files'
    reader and the statistics refuse, in one wording."""
    bad = np.flatnonzero(~np.isfinite(returns))
    return f"{bad.size} of {returns.size} returns are not finite (sample {bad[0]}: {returns[bad[0]]})" if bad.size else None


def read_returns(path: str, identity: dict | None = None) -> np.ndarray:
    """The returns of a PURD file, or an error naming the file: unreadable, without a `return`
    column, of another policy than `identity` (env, algo, seed, step), or holding a non-finite
    return (NaN weights, a simulator blow-up). Such a sample is refused, not dropped: averaged away
    it would hide the worst outcome and misreport n."""
    returns = read_table(path, ["return"])["return"].to_numpy()
    if identity is not None:
        check_identity(path, identity)
    problem = non_finite(returns)
    if problem:
        raise TableError(f"{path}: {problem}; its policy or simulator diverged")
    return returns


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
