"""Snakemake script of the failures_picks rule: up to k noisy policies (LTP > 0) of an env."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import selection
from workflow_lib.core import tables
from workflow_lib.workflow.inputs import log_rows

log = setup_job(snakemake, "failures_picks")
cfg = snakemake.params.failures
picks = selection.failure_policies(tables.read_table(snakemake.input[0]), cfg["policies"], cfg["algo"])
log_rows(log, picks, "{algo} seed {seed} step {step}: PURD mean {mean:.1f}, LTP {ltp:.3f}")
tables.write_parquet(picks, snakemake.output[0])
