"""Snakemake script of the training rules: run one TrainJob and publish its outputs."""

import logging

from workflow_lib.training import TrainJob, Trainer

log = logging.getLogger("train")
handler = logging.FileHandler(snakemake.log[0])
handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
log.addHandler(handler)
log.setLevel(logging.INFO)

fields = dict(snakemake.params.job)
job = TrainJob(**{**fields, "seeds": tuple(fields["seeds"]), "checkpoints": tuple(fields["checkpoints"])})
trainer = Trainer(job, snakemake.params.work_dir, log)
carry, rows = trainer.run(snapshot_every_s=snakemake.config["train"]["snapshot_every_s"])
trainer.publish(
    carry,
    rows,
    checkpoint_paths=dict(zip([(s, t) for s in job.seeds for t in job.checkpoints], snakemake.output.checkpoints)),
    replay_paths=dict(zip(job.seeds, snakemake.output.replay)),
    eval_paths=dict(zip(job.seeds, snakemake.output.evals)),
)
log.info("done")
