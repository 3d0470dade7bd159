"""Snakemake script of the interpolation_paths rule: the paths between Table 2's pairs, one
deterministic rollout per point (Figures 5, 9), or for the same-run pairs the mean and std of
`perturbations` perturbed rollouts per point (Figure 8)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table, write_parquet
from workflow_lib.studies import interpolation, purd
from workflow_lib.workflow.inputs import policy_loader

log = setup_job(snakemake, "interpolation_paths", devices=True)
cfg = snakemake.params.interpolation
settings = purd.Settings(batch_size=cfg["batch_size"], sigma=cfg["sigma"], episode_length=snakemake.params.episode_length)
table = interpolation.pair_paths(read_table(snakemake.input.pairs), policy_loader(snakemake.input.policies),
                                 cfg["points"], snakemake.params.samples, settings, log)
write_parquet(table, snakemake.output[0])
