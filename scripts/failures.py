"""Snakemake script of the failures rule: a successful and a failing rollout from the PURD of
each of up to k noisy policies (LTP > 0) of an env, recorded step by step."""

import polars as pl

from workflow_lib.workflow import layout
from workflow_lib.studies import purd
from workflow_lib.analysis import selection
from workflow_lib.core import tables
from workflow_lib.studies import failures as trajectories
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger

log = job_logger("failures", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
cfg, stats_cfg = snakemake.params.failures, snakemake.params.stats
settings = purd.Settings(**snakemake.params.settings)
picks = selection.failure_policies(pl.read_parquet(snakemake.input.stats), cfg["policies"], cfg["algo"])
log.info("%d %s policies with LTP > 0", picks.height, cfg["algo"])
records = []
for row in picks.iter_rows(named=True):
    identity = {k: row[k] for k in ("env", "algo", "seed", "step")}
    returns = pl.read_parquet(layout.purd_path(row["env"], row["algo"], row["algo"], row["seed"], row["step"]))
    policy = purd.load_policy(*layout.policy_paths(*identity.values()))
    pair = trajectories.failure_pair(policy, row["algo"], returns["return"].to_numpy(), settings,
                                     stats_cfg["ltp_alpha"], cfg["success_tolerance"], stats_cfg["bins"])
    if pair is None:
        log.info("seed %d step %d: no successful or no failing sample", row["seed"], row["step"])
        continue
    records += trajectories.rows(identity, pair)
    log.info("seed %d step %d (LTP %.3f): success %.1f, failure %.1f", row["seed"], row["step"], row["ltp"],
             *pair["return"])
tables.write_parquet(trajectories.to_table(records), snakemake.output[0])
