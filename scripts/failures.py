"""Snakemake script of the failures rule: a successful and a failing rollout from the PURD of
each picked noisy policy (LTP > 0) of an env, recorded step by step."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table, write_parquet
from workflow_lib.studies import failures, purd
from workflow_lib.workflow.inputs import policy_loader, purd_returns

log = setup_job(snakemake, "failures", devices=True)
cfg, stats_cfg = snakemake.params.failures, snakemake.params.stats
table = failures.failure_table(read_table(snakemake.input.picks), policy_loader(snakemake.input.policies),
                               purd_returns(snakemake.input.purds), purd.Settings(**snakemake.params.settings),
                               stats_cfg["ltp_alpha"], cfg["success_tolerance"], stats_cfg["bins"], log)
write_parquet(table, snakemake.output[0])
