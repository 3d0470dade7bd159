"""Snakemake script of the purd_stats rule: one row of bootstrapped statistics per policy."""

import polars as pl

from workflow_lib import tables
from workflow_lib.stats import StatsSettings, stats_table

cfg = snakemake.params.stats
settings = StatsSettings(
    cvar_alphas=tuple(cfg["cvar_alphas"]), ltp_alpha=cfg["ltp_alpha"], bins=cfg["bins"],
    resamples=cfg["resamples"], confidence=cfg["confidence"],
)
returns = [pl.read_parquet(path, columns=["return"])["return"].to_numpy() for path in snakemake.input]
table = stats_table(snakemake.params.policies, returns, settings)
tables.write_parquet(table, snakemake.output[0])
