"""Snakemake script: concatenate Parquet tables into one (written atomically)."""

import os

import polars as pl

table = pl.concat([pl.read_parquet(p) for p in snakemake.input], how="vertical")
tmp = snakemake.output[0] + ".tmp"
table.write_parquet(tmp)
os.replace(tmp, snakemake.output[0])
