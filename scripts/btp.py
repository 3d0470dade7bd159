"""Snakemake script of the btp rule: the below-threshold proportion of random pairs (Figure 6)."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import write_parquet
from workflow_lib.studies import interpolation, purd
from workflow_lib.workflow.inputs import policy_loader

log = setup_job(snakemake, "btp", devices=True)
cfg = snakemake.params.interpolation
settings = purd.Settings(batch_size=cfg["batch_size"], sigma=cfg["sigma"], episode_length=snakemake.params.episode_length,
                         **{k: cfg[k] for k in ("atari_return",) if k in cfg})
table = interpolation.btp_table(snakemake.wildcards.env, cfg["algo"], pl.DataFrame(snakemake.params.policies),
                                policy_loader(snakemake.input), cfg["btp_pairs"], cfg["points"], cfg["btp_samples"],
                                cfg["btp_threshold"], settings, log)
write_parquet(table, snakemake.output[0])
