"""Snakemake script of the algorithm1_starts rule: an env's starting policies for Algorithm 1."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import selection
from workflow_lib.core import tables
from workflow_lib.workflow.inputs import log_rows

log = setup_job(snakemake, "algorithm1_starts")
starts = selection.rejection_starts(tables.read_table(snakemake.input[0]), snakemake.wildcards.algo,
                                    snakemake.params.policies)
log_rows(log, starts, "start {start}: seed {seed} step {step}, PURD mean {mean:.1f}, std {std:.1f}, LTP {ltp:.3f}")
tables.write_parquet(starts, snakemake.output[0])
