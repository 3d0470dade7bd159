"""Snakemake script of the btp rule: the Below-Threshold Proportion of random pairs of an env."""

import polars as pl

from workflow_lib.studies import interpolation
from workflow_lib.workflow import layout
from workflow_lib.studies import purd
from workflow_lib.analysis import selection
from workflow_lib.core import tables
from workflow_lib.workflow.runtime import compilation_cache, host_devices, job_logger

log = job_logger("btp", snakemake.log[0])
compilation_cache(snakemake.config["compilation_cache"])
host_devices(snakemake.threads)
cfg, env, algo = snakemake.params.interpolation, snakemake.wildcards.env, snakemake.params.interpolation["algo"]
settings = purd.Settings(batch_size=cfg["batch_size"], sigma=cfg["sigma"], episode_length=snakemake.params.episode_length)
policies = pl.DataFrame(snakemake.params.policies)
rows = []
for run in selection.RUNS:
    pairs = selection.random_pairs(policies, run, cfg["btp_pairs"], seed=sum(map(ord, f"{env}/{run}")))
    for pair in pairs.iter_rows(named=True):
        ends = [purd.load_policy(*layout.policy_paths(env, algo, pair[f"seed{n}"], pair[f"step{n}"])) for n in "12"]
        means = interpolation.point_means(interpolation.path(*ends, cfg["points"], cfg["btp_samples"], settings))
        btp = interpolation.below_threshold_proportion(means["mean"].to_numpy(), cfg["btp_threshold"])
        rows.append({"env": env, "algo": algo, **pair, "btp": btp, "mean1": means["mean"][-1],
                     "mean2": means["mean"][0], "min_mean": means["mean"].min()})
        log.info("%s pair seed %d step %d / seed %d step %d: BTP %.3f", run, pair["seed1"], pair["step1"],
                 pair["seed2"], pair["step2"], btp)
tables.write_parquet(pl.DataFrame(rows), snakemake.output[0])
