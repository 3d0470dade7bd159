"""Snakemake script of the failures_figure rule (Figures 3 and 23)."""

import polars as pl

from workflow_lib.plots.failures import failures

failures({env: pl.read_parquet(p) for env, p in zip(snakemake.params.envs, snakemake.input)}, snakemake.output[0])
