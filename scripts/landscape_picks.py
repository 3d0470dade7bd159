"""Snakemake script of the landscape_picks rule: the noisy and the smooth policy of Figure 1."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import selection
from workflow_lib.core import tables

log = setup_job(snakemake, "landscape_picks")
cfg = snakemake.params.landscape
table = pl.read_parquet(snakemake.input[0])
if cfg["policies"]:
    picks = selection.named(table, cfg["algo"], cfg["policies"])
else:
    picks = selection.noisy_and_smooth(table, cfg["algo"], cfg["mean_tolerance"])
for row in picks.iter_rows(named=True):
    log.info("%s: %s seed %d step %d, PURD mean %.1f std %.1f LTP %.3f", row["role"], row["algo"], row["seed"],
             row["step"], row["mean"], row["std"], row["ltp"])
tables.write_parquet(picks, snakemake.output[0])
