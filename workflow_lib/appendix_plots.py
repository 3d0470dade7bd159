"""Figures 10 and 22 (appendix A.4 and A.7): LTP from stored start states, and behaviour cloning."""

from __future__ import annotations

import html

import numpy as np
import polars as pl

from workflow_lib import stats
from workflow_lib.plots import plt, sns


def start_states_figure(curves: pl.DataFrame, reference: pl.DataFrame, path: str) -> None:
    """Figure 10: per env, a line per seed of the LTP (averaged over checkpoints) by the start
    state's collection time, beside the same seed's average LTP from s_I (dotted)."""
    envs = curves["env"].unique(maintain_order=True).to_list()
    fig, axes = plt.subplots(1, len(envs), figsize=(4.6 * len(envs), 3.4), squeeze=False, layout="constrained")
    for ax, env in zip(axes[0], envs):
        part = curves.filter(pl.col("env") == env)
        seeds = part["seed"].unique().sort().to_list()
        colors = dict(zip(seeds, sns.color_palette("colorblind", len(seeds))))
        for seed in seeds:
            line = part.filter(pl.col("seed") == seed).sort("collection_time")
            ax.plot(line["collection_time"], line["ltp"], marker="o", markersize=3, color=colors[seed],
                    label=f"seed {seed}")
            ref = reference.filter((pl.col("env") == env) & (pl.col("seed") == seed))["ltp"]
            if ref.len() and ref.is_not_null().any():
                ax.axhline(float(ref.mean()), color=colors[seed], linestyle=":", linewidth=1)
        ax.set_title(env)
        ax.set_xlabel("collection time (replay buffer index)")
        ax.set_ylabel("LTP, mean over checkpoints")
        ax.set_ylim(bottom=0)
    axes[0][0].legend(fontsize=8, title="dotted: from $s_I$", title_fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)
