"""Snakemake script of the failures_figure rule (Figures 3 and 23)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.failures import failures

setup_job(snakemake, "failures_figure")

failures({env: read_table(p) for env, p in zip(snakemake.params.envs, snakemake.input)}, snakemake.output[0])
