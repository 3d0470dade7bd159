"""Snakemake script of the start_states rule: one TD3 run's checkpoints, each rolled out after one
update from the picked training states kept with its replay buffer (Figure 10)."""

import polars as pl

from workflow_lib.studies import purd
from workflow_lib.studies import start_states
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger
from workflow_lib.training.trainer import load_states

log = job_logger("start_states", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
settings = purd.Settings(**snakemake.params.settings)
meta, states = load_states(snakemake.input.states)
times = meta["collection_times"]
picked = start_states.pick(len(times), snakemake.params.states)
log.info("%s td3 seed %s: %d checkpoints x %d start states (of %d kept) x N = %d", meta["env"], meta["seed"],
         len(snakemake.input.checkpoints), len(picked), len(times), settings.n)
parts = []
for path in snakemake.input.checkpoints:
    policy = purd.load_policy(path, snakemake.input.replay)
    parts.append(start_states.sample(policy, states, times, picked, settings, log))
tables.write_parquet(pl.concat(parts), snakemake.output[0], {**snakemake.params.settings, "states": len(picked)})
log.info("done")
