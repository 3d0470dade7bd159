"""Snakemake script of the landscape_gait rule: each shown policy's own rollout from s_I, recorded."""

import polars as pl

from workflow_lib.workflow import layout
from workflow_lib.studies import purd
from workflow_lib.core import tables
from workflow_lib.studies import failures as trajectories
from workflow_lib.workflow.runtime import compilation_cache, job_logger

log = job_logger("landscape_gait", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
records = []
for row in pl.read_parquet(snakemake.input.picks).iter_rows(named=True):
    identity = {k: row[k] for k in ("env", "algo", "seed", "step")}
    policy = purd.load_policy(*layout.policy_paths(*identity.values()))
    recorded = trajectories.reference(policy, snakemake.params.episode_length)
    records += trajectories.rows({**identity, "role": row["role"]}, {k: v[None] for k, v in recorded.items()})
    log.info("%s: return %.1f over %d steps", row["role"], recorded["return"], recorded["length"])
tables.write_parquet(trajectories.to_table(records), snakemake.output[0])
