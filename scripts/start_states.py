"""Snakemake script of the start_states rule: one TD3 run's checkpoints, each rolled out after one
update from the picked training states kept with its replay buffer (Figure 10)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import write_parquet
from workflow_lib.studies import purd, start_states

log = setup_job(snakemake, "start_states", devices=True)
table, meta = start_states.run_table(snakemake.input.checkpoints, snakemake.input.replay, snakemake.input.states,
                                     snakemake.params.states, purd.Settings(**snakemake.params.settings), log)
write_parquet(table, snakemake.output[0], {**snakemake.params.settings, **meta})
log.info("done")
