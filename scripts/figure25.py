"""Snakemake script of the cvar_ranks_figure rule (Figure 25): every policy of Algorithm 1's
learner ranked by the CVaR of its PURD at each level."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.workflow.inputs import purd_returns
from workflow_lib.analysis import summaries
from workflow_lib.plots import algorithm1 as algorithm1_plots
from workflow_lib.core import tables

setup_job(snakemake, "figure25")

p = snakemake.params
policies = pl.concat([tables.read_table(s) for s in snakemake.input.stats]).filter(pl.col("algo") == p.algo)
returns = list(map(purd_returns(snakemake.input.purds), policies.iter_rows(named=True)))
ranks = summaries.cvar_ranks(policies, returns, p.alphas)
tables.write_parquet(ranks, snakemake.output.table)
algorithm1_plots.ranks_figure(ranks, p.alphas, snakemake.output.figure)
