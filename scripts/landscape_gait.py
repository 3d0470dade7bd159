"""Snakemake script of the landscape_gait rule: each picked policy's own rollout, step by step."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table, write_parquet
from workflow_lib.studies import landscape
from workflow_lib.workflow.inputs import policy_loader

log = setup_job(snakemake, "landscape_gait")
table = landscape.gaits(read_table(snakemake.input.picks), policy_loader(snakemake.input.policies),
                        snakemake.params.episode_length, log)
write_parquet(table, snakemake.output[0])
