"""Snakemake script of the table2 rule: every env's Table 2 rows, as Parquet and as a report page."""

from pathlib import Path

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core import tables
from workflow_lib.plots.interpolation import table2_html

setup_job(snakemake, "table2")

pairs = pl.concat([tables.read_table(p) for p in snakemake.input])
tables.write_parquet(pairs, snakemake.output.table)
Path(snakemake.output.page).write_text(table2_html(pairs))
