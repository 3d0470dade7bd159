"""Snakemake script of the purd rule: sample one checkpoint's post-update returns."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.studies import purd
from workflow_lib.core import tables

log = setup_job(snakemake, "purd", devices=True)  # on a CPU, the job's cores each take a share of every chunk
settings = purd.Settings(**snakemake.params.settings)
policy = purd.load_policy(snakemake.input.checkpoint, snakemake.input.get("replay"))
kind = snakemake.wildcards.kind
samples = purd.sample(policy, kind, settings, log)
meta = {"env": policy.env, "algo": policy.algo, "seed": policy.seed, "step": policy.step, "update": kind,
        **snakemake.params.settings}
tables.write_parquet(purd.to_table(samples), snakemake.output[0], meta)
log.info("done: mean return %.1f over %d samples", samples["return"].mean(), settings.n)
