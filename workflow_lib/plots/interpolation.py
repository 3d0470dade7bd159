"""Figures 5, 9, 8 and 6 and Table 2: interpolation between policies (docs/protocol.md, "Interpolation")."""

from __future__ import annotations

import numpy as np
import polars as pl

from workflow_lib.plots.style import html_table, plt, sns

RUN_TITLES = {"same": "same run", "different": "different runs"}


def _label(pair: dict) -> str:
    return f"s{pair['seed2']}/{pair['step2']} → s{pair['seed1']}/{pair['step1']}"


def paths_figure(tables: dict[str, pl.DataFrame], path: str, value: str = "return") -> None:
    """Figures 5 and 9 (value "return": one rollout per point) and 8 (value "mean", with a std band):
    a row per env, a column per run kind, a line per pair from alpha 0 (policy 2) to 1 (policy 1,
    the noisier)."""
    runs = ["same"] if value == "mean" else list(RUN_TITLES)
    fig, axes = plt.subplots(len(tables), len(runs), figsize=(5.5 * len(runs), 3.3 * len(tables)), squeeze=False,
                             layout="constrained")
    for r, (env, table) in enumerate(tables.items()):
        for c, run in enumerate(runs):
            ax = axes[r][c]
            part = table.filter(pl.col("run") == run) if table.height else table
            keys = ["seed1", "step1", "seed2", "step2"]
            for pair, group in (part.group_by(keys, maintain_order=True) if part.height else []):
                g = group.sort("alpha")
                ax.plot(g["alpha"], g[value], linewidth=1.2, label=_label(dict(zip(keys, pair))))
                if value == "mean":
                    ax.fill_between(g["alpha"], g["mean"] - g["std"], g["mean"] + g["std"], alpha=0.25)
            if not part.height:
                ax.text(0.5, 0.5, "no pair at this scale", ha="center", va="center", transform=ax.transAxes)
            ax.set_title(f"{env}: {RUN_TITLES[run]}", fontsize=9)
            ax.set_xlabel(r"$\alpha$  ($\alpha\,\theta_1 + (1-\alpha)\,\theta_2$)")
            ax.set_ylabel("return" if value == "return" else "PURD mean ± std (Gaussian)")
            if part.height:
                ax.legend(fontsize=6)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def btp_figure(summary: pl.DataFrame, path: str, title: str = "") -> None:
    """Figures 6 and 19: BTP of same-run and different-run pairs, aggregated over envs (95%
    interval), and per env. Each bar is labelled with its value and pair count, so that a BTP of
    0 (no path collapsed) reads as a result, not as a missing bar; a kind without pairs (one run
    gives no different-run pair) is labelled so, and has no bar."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), width_ratios=[1, 2], layout="constrained")
    # A kind without pairs has no bar (its NaN drawn as 0, labelled so).
    agg = summary.filter(pl.col("env") == "all").with_columns(pl.col("btp", "lo", "hi").fill_nan(0.0))
    colors = sns.color_palette("colorblind", 2)
    bars = axes[0].bar([RUN_TITLES[r] for r in agg["run"]], agg["btp"], color=colors,
                       yerr=np.abs(np.stack([agg["btp"] - agg["lo"], agg["hi"] - agg["btp"]])), capsize=6)
    axes[0].bar_label(bars, labels=[f"{b:.2f} ({n} pairs)" if n else "no pair at this scale"
                                    for b, n in zip(agg["btp"], agg["pairs"])], fontsize=7)
    axes[0].set_ylabel("Below-Threshold Proportion")
    axes[0].set_title("all envs (95% stratified bootstrap)", fontsize=9)
    per_env = summary.filter((pl.col("env") != "all") & (pl.col("pairs") > 0))
    envs, runs = per_env["env"].unique(maintain_order=True).to_list(), per_env["run"].unique(maintain_order=True).to_list()
    sns.barplot(per_env.to_pandas(), x="env", y="btp", hue="run", order=envs, hue_order=runs,
                palette={run: color for run, color in zip(agg["run"], colors) if run in runs}, ax=axes[1])
    shown = {(r["env"], r["run"]): f"{r['btp']:.2f} ({r['pairs']})" for r in per_env.iter_rows(named=True)}
    for container, run in zip(axes[1].containers, runs):  # one container per hue, its bars in `envs` order
        axes[1].bar_label(container, labels=[shown.get((env, run), "") for env in envs], fontsize=7)
    axes[1].set_ylabel("Below-Threshold Proportion")
    axes[1].set_title("per env (mean over pairs; pairs in brackets)", fontsize=9)
    top = max(0.05, 1.15 * float(np.nan_to_num(summary["hi"].fill_nan(None).max() or 0.0)))  # from 0, never below
    for ax in axes:
        ax.set_ylim(0.0, top)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def table2_html(pairs: pl.DataFrame) -> str:
    """Table 2 as an HTML page for the report."""
    return html_table(pairs, ["env", "algo", "run", "seed1", "step1", "mean1", "std1", "ltp1", "seed2", "step2",
                              "mean2", "std2", "ltp2"])
