"""Snakemake script of the figure1 rule: landscapes, PURD histograms and gaits of two policies."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.plots.landscape import figure1

setup_job(snakemake, "figure1")

inp = snakemake.input
figure1(pl.read_parquet(inp.picks), pl.read_parquet(inp.grid), pl.read_parquet(inp.purd), pl.read_parquet(inp.gait),
        snakemake.params.backend, snakemake.output[0], snakemake.params.frames, snakemake.params.ltp_alpha)
