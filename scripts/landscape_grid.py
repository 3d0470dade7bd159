"""Snakemake script of the landscape_grid rule: both policies' landscapes on one window."""

import polars as pl

from workflow_lib.studies import landscape
from workflow_lib.workflow import layout
from workflow_lib.studies import purd
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger

log = job_logger("landscape_grid", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)  # on a CPU, the job's cores each take a share of every chunk
cfg, window = snakemake.params.landscape, float(snakemake.wildcards.window)
settings = purd.Settings(batch_size=cfg["batch_size"], episode_length=snakemake.params.episode_length)
parts = []
for row in pl.read_parquet(snakemake.input.picks).iter_rows(named=True):
    env, algo, seed, step = row["env"], row["algo"], row["seed"], row["step"]
    policy = purd.load_policy(*layout.policy_paths(env, algo, seed, step))
    grid = landscape.landscape(policy, cfg["directions"], window, cfg["grid"], settings, log)
    parts.append(tables.with_identity(grid, {"role": row["role"], "algo": algo, "seed": seed, "step": step}))
meta = {"env": snakemake.wildcards.env, "window": window, "directions": cfg["directions"], "grid": cfg["grid"]}
tables.write_parquet(pl.concat(parts), snakemake.output[0], meta)
log.info("done")
