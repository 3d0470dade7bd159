"""Snakemake script of the figure4 rule: the first failure pair of an env as frames and as Brax's
HTML viewer pages (one per rollout)."""

from pathlib import Path

import polars as pl

from workflow_lib.workflow.runtime import setup_job  # first: it silences what the imports below print
from workflow_lib.plots import render
from workflow_lib.plots.failures import figure4, pairs

setup_job(snakemake, "figure4")

env, backend = snakemake.wildcards.env, snakemake.params.backend
table = pl.read_parquet(snakemake.input[0])
figure4(table, env, backend, snakemake.output.frames, snakemake.params.frames)
found = pairs(table)
for row, out in zip(found[0] if found else [None, None], (snakemake.output.success, snakemake.output.failure)):
    if row is None:
        page = f"<html><body><p>{env}: no TD3 policy with LTP &gt; 0 and a failing sample at this scale.</p></body></html>"
    else:
        page = render.viewer_page(env, backend, row["q"][: row["length"]])
    Path(out).write_text(page)
