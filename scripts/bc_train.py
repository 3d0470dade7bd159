"""Snakemake script of the bc_train rule: the clones of one TD3 run's teachers, trained in lockstep."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.studies import behaviour_cloning

log = setup_job(snakemake, "bc_train", claim=True)
meta, logged = behaviour_cloning.train_run(snakemake.wildcards.env, int(snakemake.wildcards.seed),
                                           snakemake.input.checkpoints, snakemake.input.replay,
                                           snakemake.params.section, log)
behaviour_cloning.save_clones(snakemake.output[0], meta, logged)
log.info("done")
