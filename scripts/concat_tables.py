"""Snakemake script: concatenate Parquet tables into one (written atomically)."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core import tables

setup_job(snakemake, "concat_tables")

tables.write_parquet(pl.concat([tables.read_table(p) for p in snakemake.input], how="vertical"), snakemake.output[0])
