"""Snakemake script of the purd_map rule (Figures 2 and 11-18)."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.purd_maps import purd_map
from workflow_lib.analysis.selection import diverse

setup_job(snakemake, "purd_map")

table = pl.concat([read_table(p) for p in snakemake.input])  # the env's tables, one per algo
purd_map(table, diverse(table, snakemake.params.highlights), snakemake.output[0], snakemake.params.ltp_alpha)
