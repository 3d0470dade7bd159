"""Snakemake script of the interpolation_paths rule: the paths between Table 2's pairs, one
deterministic rollout per point (Figures 5, 9), or for the same-run pairs the mean and std of
`perturbations` perturbed rollouts per point (Figure 8)."""

import polars as pl

from workflow_lib.studies import interpolation
from workflow_lib.workflow import layout
from workflow_lib.studies import purd
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger

log = job_logger("interpolation_paths", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
cfg, samples = snakemake.params.interpolation, snakemake.params.samples
settings = purd.Settings(batch_size=cfg["batch_size"], sigma=cfg["sigma"], episode_length=snakemake.params.episode_length)
pairs = pl.read_parquet(snakemake.input.pairs)
if samples:
    pairs = pairs.filter(pl.col("run") == "same")
parts = []
for row in pairs.iter_rows(named=True):
    ends = [purd.load_policy(*layout.policy_paths(row["env"], row["algo"], row[f"seed{n}"], row[f"step{n}"]))
            for n in ("1", "2")]
    path = interpolation.path(*ends, cfg["points"], samples, settings, log)
    if samples:
        path = interpolation.point_means(path)
    ids = {k: row[k] for k in ("run", "seed1", "step1", "seed2", "step2")}
    parts.append(tables.with_identity(path, ids))
tables.write_parquet(pl.concat(parts) if parts else pl.DataFrame(), snakemake.output[0])
log.info("done: %d paths", len(parts))
