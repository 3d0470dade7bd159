"""Snakemake script: concatenate Parquet tables into one (written atomically)."""

import polars as pl

from workflow_lib.core import tables

tables.write_parquet(pl.concat([pl.read_parquet(p) for p in snakemake.input], how="vertical"), snakemake.output[0])
