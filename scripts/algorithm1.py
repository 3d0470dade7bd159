"""Snakemake script of the algorithm1 rule: one run of post-update CVaR rejection and of the plain
algorithm (the baseline, same keys) from one starting policy; both variants' traces."""

import polars as pl

from workflow_lib.workflow import layout
from workflow_lib.studies import rejection
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger

log = job_logger("algorithm1", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
w = snakemake.wildcards
settings = rejection.Settings(**snakemake.params.settings)
row = pl.read_parquet(snakemake.input.starts).filter(pl.col("start") == int(w.start)).row(0, named=True)
start = rejection.load_start(*layout.policy_paths(w.env, w.algo, row["seed"], row["step"]), settings.proposals,
                             int(w.run))
log.info("%s %s seed %d step %d, run %s: %d proposals, N = %d, CVaR alpha %g, delta %g", w.env, w.algo,
         row["seed"], row["step"], w.run, settings.proposals, settings.samples, settings.alpha, settings.delta)
trace, _ = rejection.run(start, int(w.run), settings, log)
identity = {"env": w.env, "algo": w.algo, "start": int(w.start), "seed": row["seed"], "step": row["step"],
            "run": int(w.run)}
tables.write_parquet(tables.with_identity(trace, identity), snakemake.output[0])
