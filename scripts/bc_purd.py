"""Snakemake script of the bc_purd rule: the PURD of every logged clone of one TD3 run, the update
one more BC step on the clone's own dataset (the teacher's replay prefix)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import write_parquet
from workflow_lib.studies import behaviour_cloning, purd

log = setup_job(snakemake, "bc_purd", devices=True)
table = behaviour_cloning.clones_purd(snakemake.input.clones, snakemake.input.replay,
                                      purd.Settings(**snakemake.params.settings), log)
write_parquet(table, snakemake.output[0], snakemake.params.settings)
log.info("done")
