"""Snakemake script of the training rules: run one TrainJob and publish its outputs."""

from workflow_lib.workflow.runtime import claim_cores, compilation_cache, job_logger
from workflow_lib.training.trainer import TrainJob, Trainer

log = job_logger("train", snakemake.log[0])
log.info("cores %s", claim_cores(snakemake.threads))  # before JAX starts: it sizes its threads by them
compilation_cache(snakemake.config["compilation_cache"])
job = TrainJob.from_fields(dict(snakemake.params.job))
trainer = Trainer(job, snakemake.params.work_dir, log)
carry, rows = trainer.run(snapshot_every_s=snakemake.config["train"]["snapshot_every_s"])
trainer.publish(
    carry,
    rows,
    checkpoint_paths=dict(zip([(s, t) for s in job.seeds for t in job.checkpoints], snakemake.output.checkpoints)),
    replay_paths=dict(zip(job.seeds, snakemake.output.replay)),
    eval_paths=dict(zip(job.seeds, snakemake.output.evals)),
    states_paths=dict(zip(job.seeds, snakemake.output.states)),
)
log.info("done")
