"""Snakemake script of the interpolation_figure rule: Figures 5 and 9 (paths) and 8 (perturbed)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.interpolation import paths_figure

setup_job(snakemake, "interpolation_figure")

tables = {env: read_table(p) for env, p in zip(snakemake.params.envs, snakemake.input)}
paths_figure(tables, snakemake.output[0], value=snakemake.params.value)
