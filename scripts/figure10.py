"""Snakemake script of the figure10 rule: LTP by the start state's collection time, per TD3 run."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots import appendix as appendix_plots
from workflow_lib.studies import start_states

setup_job(snakemake, "figure10")

table = read_table(snakemake.input.table)
reference = (pl.concat([read_table(p) for p in snakemake.input.stats])
             .filter(pl.col("algo") == "td3")
             .join(table.select("env", "seed", "step").unique(), on=["env", "seed", "step"])
             .with_columns(pl.col("ltp").fill_nan(None)))
appendix_plots.start_states_figure(start_states.ltp_by_time(table), reference, snakemake.params.envs,
                                   snakemake.output[0])
