"""Snakemake script of the algorithm1_figure rule: Figure 7 (LTP reduction with and without
rejection), 24 (start -> end on the mean-LTP plane) or 26 (rejection frequency per env)."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.analysis import summaries
from workflow_lib.plots import algorithm1 as algorithm1_plots

setup_job(snakemake, "algorithm1_figure")

traces, p = read_table(snakemake.input.traces), snakemake.params
name, out = snakemake.wildcards.name, snakemake.output[0]
if name == "figure7":
    summary = summaries.ltp_reduction(traces, p.resamples, p.confidence)
    algorithm1_plots.reduction_figure(summary, p.algo, out)
elif name == "figure24":
    policies = pl.concat([read_table(s) for s in snakemake.input.stats]).filter(pl.col("algo") == p.algo)
    algorithm1_plots.arrows_figure(traces, policies, p.algo, out)
else:
    algorithm1_plots.rejection_figure(summaries.rejection_rates(traces), out)
