"""Snakemake script of the landscape_purd rule: the large PURDs of Figure 1's histograms."""

import polars as pl

from workflow_lib.workflow import layout
from workflow_lib.studies import purd
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger

log = job_logger("landscape_purd", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
settings = purd.Settings(**snakemake.params.settings)
parts = []
for row in pl.read_parquet(snakemake.input.picks).iter_rows(named=True):
    policy = purd.load_policy(*layout.policy_paths(row["env"], row["algo"], row["seed"], row["step"]))
    table = purd.to_table(purd.sample(policy, row["algo"], settings, log))
    parts.append(tables.with_identity(table, {k: row[k] for k in ("role", "algo", "seed", "step")}))
tables.write_parquet(pl.concat(parts), snakemake.output[0], snakemake.params.settings)
log.info("done")
