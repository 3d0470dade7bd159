"""Snakemake script of the figure27 rule: the landscapes at every window."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.landscape import figure27

setup_job(snakemake, "figure27")

grids = [(w, read_table(p)) for w, p in zip(snakemake.params.windows, snakemake.input.grids)]
figure27(read_table(snakemake.input.picks), grids, snakemake.output[0])
