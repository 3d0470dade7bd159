"""Figures 10 and 22 (appendix A.4 and A.7): LTP from stored start states, and behaviour cloning."""

from __future__ import annotations

import numpy as np
import polars as pl

from workflow_lib.plots.style import html_table, plt, sns


def start_states_figure(curves: pl.DataFrame, reference: pl.DataFrame, envs: list[str], path: str) -> None:
    """Figure 10: per env, a line per seed of the LTP (averaged over checkpoints) by the start
    state's collection time, beside the same seed's average LTP from s_I (dotted). An env whose
    LTPs are all undefined (every mode <= 0) keeps an empty, labelled panel."""
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
        if not seeds:
            ax.text(0.5, 0.5, "LTP undefined everywhere\n(every mode <= 0)", ha="center", va="center",
                    transform=ax.transAxes)
        ax.set_title(env)
        ax.set_xlabel("collection time (replay buffer index)")
        ax.set_ylabel("LTP, mean over checkpoints")
        ax.set_ylim(bottom=0)
    if curves.height:
        axes[0][0].legend(fontsize=8, title="dotted: from $s_I$", title_fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def bc_figure(clones: pl.DataFrame, corr: pl.DataFrame, comparison: pl.DataFrame, path: str) -> None:
    """Figure 22: clone vs teacher PURD mean and LTP, a point per (clone, teacher) pair coloured by
    env with Pearson's r in the legend (the table), and the mean LTP of TD3 and BC policies over
    envs with its 95% interval."""
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), layout="constrained")
    envs = clones["env"].unique(maintain_order=True).to_list()
    colors = dict(zip(envs, sns.color_palette("colorblind", len(envs))))
    for ax, stat, title in ((axes[0], "mean", "PURD mean"), (axes[1], "ltp", "LTP")):
        for env in envs:
            part = clones.filter(pl.col("env") == env)
            r = corr.filter(pl.col("env") == env)[f"corr_{stat}"][0]
            ax.scatter(part[f"teacher_{stat}"], part[stat], s=12, alpha=0.6, color=colors[env],
                       label=f"{env}: r = {r:.3f}" if np.isfinite(r) else f"{env}: r undefined")
        lims = [np.nanmin(clones.select(f"teacher_{stat}", stat).to_numpy()),
                np.nanmax(clones.select(f"teacher_{stat}", stat).to_numpy())]
        if np.all(np.isfinite(lims)):
            ax.plot(lims, lims, color="grey", linewidth=0.7, linestyle="--")
        ax.set_xlabel(f"teacher (TD3) {title}")
        ax.set_ylabel(f"clone (BC) {title}")
        ax.legend(fontsize=8)
    ax = axes[2]
    ax.bar(comparison["learner"], comparison["ltp"], color=sns.color_palette("colorblind", 2), alpha=0.8,
           yerr=[comparison["ltp"] - comparison["lo"], comparison["hi"] - comparison["ltp"]], capsize=6)
    ax.set_ylabel("mean LTP over envs")
    ax.set_title("95% stratified bootstrap interval", fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def correlation_html(corr: pl.DataFrame) -> str:
    """Figure 22's table (Pearson's r of the mean and of the LTP per env) as a report page."""
    return html_table(corr, ["env", "corr_mean", "corr_ltp", "pairs_mean", "pairs_ltp"])
