"""Snakemake script of the figure4 rule: the first failure pair of an env as frames and as Brax's
HTML viewer pages (one per rollout)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.failures import figure4, viewer_pages

setup_job(snakemake, "figure4")

env, backend = snakemake.wildcards.env, snakemake.params.backend
table = read_table(snakemake.input[0])
figure4(table, env, backend, snakemake.output.frames, snakemake.params.frames)
viewer_pages(table, env, backend, (snakemake.output.success, snakemake.output.failure))
