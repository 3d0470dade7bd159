"""Snakemake script of the algorithm1_starts rule: an env's starting policies for Algorithm 1."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import selection
from workflow_lib.core import tables

log = setup_job(snakemake, "algorithm1_starts")
starts = selection.rejection_starts(pl.read_parquet(snakemake.input[0]), snakemake.wildcards.algo,
                                    snakemake.params.policies)
for row in starts.iter_rows(named=True):
    log.info("start %d: seed %d step %d, PURD mean %.1f, std %.1f, LTP %.3f", row["start"], row["seed"], row["step"],
             row["mean"], row["std"], row["ltp"])
tables.write_parquet(starts, snakemake.output[0])
