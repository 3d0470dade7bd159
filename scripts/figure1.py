"""Snakemake script of the figure1 rule: landscapes, PURD histograms and gaits of two policies."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.landscape import figure1

setup_job(snakemake, "figure1")

inp = snakemake.input
figure1(read_table(inp.picks), read_table(inp.grid), read_table(inp.purd), read_table(inp.gait),
        snakemake.params.backend, snakemake.output[0], snakemake.params.frames, snakemake.params.ltp_alpha)
