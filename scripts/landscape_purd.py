"""Snakemake script of the landscape_purd rule: large PURDs of the noisy and the smooth policy
(Figure 1's histograms)."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table, write_parquet
from workflow_lib.studies import landscape, purd
from workflow_lib.workflow.inputs import policy_loader

log = setup_job(snakemake, "landscape_purd", devices=True)
settings = purd.Settings(**snakemake.params.settings)
table = landscape.histogram_samples(read_table(snakemake.input.picks), policy_loader(snakemake.input.policies),
                                    settings, log)
write_parquet(table, snakemake.output[0], snakemake.params.settings)
log.info("done")
