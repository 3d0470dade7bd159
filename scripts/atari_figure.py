"""Snakemake script of the atari_purd_figure rule: Figure 20 (PURD histograms of chosen policies per
game) or Figure 21 (PURD mean against std per game)."""

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.core.tables import read_table
from workflow_lib.plots import atari

setup_job(snakemake, snakemake.wildcards.name)

stats = pl.concat([read_table(p) for p in snakemake.input.stats])
if snakemake.wildcards.name == "figure21":
    atari.figure21(stats, snakemake.params.scale, snakemake.output[0])
else:
    chosen, returns = atari.chosen_purds(stats, list(snakemake.input.purds), snakemake.params.per_game)
    atari.figure20(chosen, returns, snakemake.params.scale, snakemake.output[0])
