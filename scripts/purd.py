"""Snakemake script of the purd rules: sample the post-update returns of a run's checkpoints."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.studies import purd
from workflow_lib.core import tables
from workflow_lib.workflow.inputs import checked_policies

log = setup_job(snakemake, "purd", devices=True)  # on a CPU, the job's cores each take a share of every chunk
policies = checked_policies(snakemake.input.checkpoints, snakemake.input.get("replay"))
tables.write_each(snakemake.output, purd.sample_policies(policies, snakemake.params.kind, snakemake.params.settings, log))
