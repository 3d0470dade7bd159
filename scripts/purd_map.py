"""Snakemake script of the purd_map rule (Figures 2 and 11-13)."""

import polars as pl

from workflow_lib.plots.style import purd_map
from workflow_lib.analysis.selection import diverse

table = pl.read_parquet(snakemake.input[0])
purd_map(table, diverse(table, snakemake.params.highlights), snakemake.output[0], snakemake.params.ltp_alpha)
