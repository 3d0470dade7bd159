"""Snakemake script of the landscape_picks rule: the noisy and the smooth policy of Figure 1."""

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.analysis import selection
from workflow_lib.core import tables
from workflow_lib.workflow.inputs import log_rows

log = setup_job(snakemake, "landscape_picks")
cfg = snakemake.params.landscape
table = tables.read_table(snakemake.input[0])
if cfg["policies"]:
    picks = selection.named(table, cfg["algo"], cfg["policies"])
else:
    picks = selection.noisy_and_smooth(table, cfg["algo"], cfg["mean_tolerance"])
log_rows(log, picks, "{role}: {algo} seed {seed} step {step}, PURD mean {mean:.1f} std {std:.1f} LTP {ltp:.3f}")
tables.write_parquet(picks, snakemake.output[0])
