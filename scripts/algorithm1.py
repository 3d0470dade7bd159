"""Snakemake script of the algorithm1 rule: one run of both variants from one starting policy."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table, write_parquet
from workflow_lib.studies import algorithm1
from workflow_lib.workflow.inputs import policy_files

log = setup_job(snakemake, "algorithm1", devices=True)
table = algorithm1.trace(read_table(snakemake.input.starts), int(snakemake.wildcards.start),
                        int(snakemake.wildcards.run), policy_files(snakemake.input.policies),
                        algorithm1.Settings(**snakemake.params.settings), log)
write_parquet(table, snakemake.output[0])
