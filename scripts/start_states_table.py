"""Snakemake script of the start_states_table rule: statistics of every (policy, start state)."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.studies import start_states
from workflow_lib.core import tables
from workflow_lib.analysis.stats import StatsSettings

setup_job(snakemake, "start_states_table")

settings = StatsSettings.from_config(snakemake.params.stats)
returns = pl.concat([tables.read_table(p) for p in snakemake.input])
tables.write_parquet(start_states.statistics(returns, settings), snakemake.output[0])
