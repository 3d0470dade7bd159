"""Snakemake script of the bc_table rule: every clone's PURD statistics beside its teacher's."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import clones as bc_analysis
from workflow_lib.core import tables
from workflow_lib.analysis.stats import StatsSettings

setup_job(snakemake, "bc_table")

settings = StatsSettings.from_config(snakemake.params.stats)
returns = pl.concat([tables.read_table(p) for p in snakemake.input.purds])
teachers = pl.concat([tables.read_table(p) for p in snakemake.input.stats], how="diagonal")
tables.write_parquet(bc_analysis.clone_statistics(returns, teachers, settings), snakemake.output[0])
