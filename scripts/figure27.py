"""Snakemake script of the figure27 rule: the landscapes at every window."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.plots.landscape import figure27

setup_job(snakemake, "figure27")

grids = [(w, pl.read_parquet(p)) for w, p in zip(snakemake.params.windows, snakemake.input.grids)]
figure27(pl.read_parquet(snakemake.input.picks), grids, snakemake.output[0])
