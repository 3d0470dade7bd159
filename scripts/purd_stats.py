"""Snakemake script of the purd_stats rule: one row of bootstrapped statistics per policy."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core import tables
from workflow_lib.analysis.stats import StatsSettings, stats_table

setup_job(snakemake, "purd_stats")

settings = StatsSettings.from_config(snakemake.params.stats)
returns = [tables.read_returns(path, policy) for path, policy in zip(snakemake.input, snakemake.params.policies)]
table = stats_table(snakemake.params.policies, returns, settings)
tables.write_parquet(table, snakemake.output[0])
