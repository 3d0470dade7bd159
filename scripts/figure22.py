"""Snakemake script of the figure22 rule: Figure 22, its correlation table and the LTP comparison."""

from pathlib import Path

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.plots import appendix as appendix_plots
from workflow_lib.analysis import clones as bc_analysis
from workflow_lib.core import tables

setup_job(snakemake, "figure22")

clones = tables.read_table(snakemake.input[0])
corr = bc_analysis.correlations(clones)
comparison = bc_analysis.ltp_comparison(clones, snakemake.params.resamples, snakemake.params.confidence)
tables.write_parquet(corr, snakemake.output.correlations)
tables.write_parquet(comparison, snakemake.output.ltp)
Path(snakemake.output.page).write_text(appendix_plots.correlation_html(corr))
appendix_plots.bc_figure(clones, corr, comparison, snakemake.output.figure)
