"""Snakemake script of the training rules: run one TrainJob and publish its outputs."""

from workflow_lib.workflow.runtime import setup_job, snapshot_every_s  # first: it silences what the imports below print
from workflow_lib.training.trainer import TrainJob, Trainer

log = setup_job(snakemake, "train", claim=True)
job = TrainJob.from_fields(dict(snakemake.params.job))
trainer = Trainer(job, snakemake.params.work_dir, log)
carry, rows = trainer.run(snapshot_every_s=snapshot_every_s(snakemake))
trainer.publish(
    carry,
    rows,
    checkpoint_paths=dict(zip([(s, t) for s in job.seeds for t in job.checkpoints], snakemake.output.checkpoints)),
    replay_paths=dict(zip(job.seeds, snakemake.output.replay)),
    eval_paths=dict(zip(job.seeds, snakemake.output.evals)),
    states_paths=dict(zip(job.seeds, snakemake.output.states)),
)
log.info("done")
