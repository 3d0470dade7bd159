"""Snakemake script of the btp_figure and atari_btp_figure rules (Figures 6 and 19): BTP per env and
over envs, as a table and a bar plot."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core import tables
from workflow_lib.analysis.summaries import btp_summary
from workflow_lib.plots.interpolation import btp_figure

setup_job(snakemake, snakemake.rule)

summary = btp_summary({env: tables.read_table(p) for env, p in zip(snakemake.params.envs, snakemake.input)},
                      snakemake.params.resamples, snakemake.params.confidence)
tables.write_parquet(summary, snakemake.output.table)
btp_figure(summary, snakemake.output.figure, snakemake.params.get("title", ""))
