"""Snakemake script of the landscape_grid rule: both policies' landscapes on one window."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table, write_parquet
from workflow_lib.studies import landscape, purd
from workflow_lib.workflow.inputs import policy_loader

log = setup_job(snakemake, "landscape_grid", devices=True)  # on a CPU, the job's cores each take a share of every chunk
cfg, window = snakemake.params.landscape, float(snakemake.wildcards.window)
settings = purd.Settings(batch_size=cfg["batch_size"], episode_length=snakemake.params.episode_length)
table = landscape.grid_tables(read_table(snakemake.input.picks), policy_loader(snakemake.input.policies),
                              cfg["directions"], window, cfg["grid"], settings, log)
meta = {"env": snakemake.wildcards.env, "window": window, "directions": cfg["directions"], "grid": cfg["grid"]}
write_parquet(table, snakemake.output[0], meta)
log.info("done")
