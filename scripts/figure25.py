"""Snakemake script of the cvar_ranks_figure rule (Figure 25): every policy of Algorithm 1's
learner ranked by the CVaR of its PURD at each level."""

import polars as pl

from workflow_lib.workflow import layout
from workflow_lib.plots import rejection as rejection_plots
from workflow_lib.core import tables

p = snakemake.params
policies = pl.concat([pl.read_parquet(s) for s in snakemake.input.stats]).filter(pl.col("algo") == p.algo)
returns = [pl.read_parquet(layout.purd_path(r["env"], p.algo, p.algo, r["seed"], r["step"]))["return"].to_numpy()
           for r in policies.iter_rows(named=True)]
ranks = rejection_plots.cvar_ranks(policies, returns, p.alphas)
tables.write_parquet(ranks, snakemake.output.table)
rejection_plots.ranks_figure(ranks, p.alphas, snakemake.output.figure)
