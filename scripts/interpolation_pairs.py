"""Snakemake script of the interpolation_pairs rule: an env's rows of Table 2."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import selection
from workflow_lib.core import tables

setup_job(snakemake, "interpolation_pairs")

cfg = snakemake.params.interpolation
table = tables.read_table(snakemake.input[0])
pairs = selection.table2_pairs(table, cfg["algo"], cfg["pairs"], cfg["mean_tolerance"])
tables.write_parquet(pairs, snakemake.output[0])
