"""Snakemake script of the learning_curves rule."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots.learning_curves import learning_curves

setup_job(snakemake, "learning_curves")

learning_curves(read_table(snakemake.input[0]), snakemake.output[0], ci=snakemake.params.ci)
