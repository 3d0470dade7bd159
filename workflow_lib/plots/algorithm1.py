"""Figures 7, 24, 25 and 26: Algorithm 1 (post-update CVaR rejection) and the CVaR rankings that
motivate it (Sec. 4.2, A.9, A.10)."""

from __future__ import annotations

import polars as pl

from workflow_lib.analysis.summaries import endpoints
from workflow_lib.plots.style import plt, sns


def variant_labels(algo: str) -> dict[str, str]:
    return {"rejection": "Algorithm 1 (rejection)", "baseline": f"{algo.upper()} (no rejection)"}


def reduction_figure(summary: pl.DataFrame, algo: str, path: str) -> None:
    """Figure 7: LTP reduction over the proposals with and without rejection (left), and the change
    of the PURD mean that comes with it (right), 95% stratified bootstrap bands."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    colors = dict(zip(["baseline", "rejection"], sns.color_palette("colorblind", 2)))
    titles = {"ltp_reduction": "LTP reduction", "mean_change": "change of the PURD mean"}
    for ax, (metric, title) in zip(axes, titles.items()):
        for variant, label in variant_labels(algo).items():
            part = summary.filter((pl.col("metric") == metric) & (pl.col("variant") == variant)).sort("proposal")
            ax.plot(part["proposal"], part["value"], color=colors[variant], label=label,
                    linestyle="--" if variant == "baseline" else "-")  # dashed: visible where they coincide
            ax.fill_between(part["proposal"], part["lo"], part["hi"], color=colors[variant], alpha=0.25)
        ax.axhline(0.0, color="grey", linewidth=0.6)
        ax.set_xlabel("proposals (gradient steps)")
        ax.set_ylabel(title)
    axes[0].legend(fontsize=8)
    runs = summary.filter(pl.col("metric") == "ltp_reduction")["runs"].max()
    fig.suptitle(f"Algorithm 1 vs {algo.upper()}: {runs} runs, mean over envs", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def arrows_figure(traces: pl.DataFrame, policies: pl.DataFrame, algo: str, path: str) -> None:
    """Figure 24: per env, every policy of the algorithm (x) on the PURD mean-LTP plane, and for each
    starting policy an arrow from the start (empty circle) to the policy Algorithm 1 holds after the
    last proposal (filled circle), means over runs; the baseline's end as a grey dot."""
    ends = endpoints(traces)
    envs = list(dict.fromkeys(traces["env"].to_list()))
    fig, axes = plt.subplots(1, len(envs), figsize=(4.6 * len(envs), 3.8), squeeze=False, layout="constrained")
    color = sns.color_palette("colorblind", 2)[1]
    for ax, env in zip(axes[0], envs):
        others = policies.filter((pl.col("env") == env) & pl.col("ltp").is_not_nan())
        ax.scatter(others["mean"], others["ltp"], marker="x", color="0.6", s=18, label=f"{algo.upper()} policies")
        mine = ends.filter(pl.col("env") == env)
        for row in mine.filter(pl.col("variant") == "rejection").iter_rows(named=True):
            if None in (row["ltp_start"], row["ltp_end"]):
                continue
            ax.annotate("", xy=(row["mean_end"], row["ltp_end"]), xytext=(row["mean_start"], row["ltp_start"]),
                        arrowprops={"arrowstyle": "->", "color": color, "lw": 1.2})
            ax.scatter(row["mean_start"], row["ltp_start"], facecolors="none", edgecolors=color, s=40)
            ax.scatter(row["mean_end"], row["ltp_end"], color=color, s=40)
        base = mine.filter((pl.col("variant") == "baseline") & pl.col("ltp_end").is_not_null())
        ax.scatter(base["mean_end"], base["ltp_end"], color="0.3", s=12, label=f"{algo.upper()} end (no rejection)")
        ax.scatter([], [], color=color, s=40, label="Algorithm 1: start → end")
        ax.set_title(env, fontsize=10)
        ax.set_xlabel("mean post-update return")
        ax.set_ylabel("LTP")
    axes[0][0].legend(fontsize=7)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def rejection_figure(rates: pl.DataFrame, path: str) -> None:
    """Figure 26: rejection frequency per env, mean over starting policies and runs, standard errors."""
    fig, ax = plt.subplots(figsize=(max(3.6, 1.6 + 1.3 * rates.height), 3.4), layout="constrained")
    ax.bar(rates["env"], rates["rate"], yerr=rates["se"], capsize=6,
           color=sns.color_palette("colorblind", rates.height))
    ax.set_ylabel("rejection frequency")
    ax.set_ylim(0, max(1e-3, float((rates["rate"] + rates["se"]).max()) * 1.2))
    ax.set_title(f"Algorithm 1, {int(rates['runs'].sum())} runs", fontsize=10)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def ranks_figure(ranks: pl.DataFrame, alphas, path: str) -> None:
    """Figure 25: per env (rows) and CVaR level (columns), every policy on the PURD mean-LTP plane
    coloured by its rank (darker: ranked higher), the best starred."""
    envs = list(dict.fromkeys(ranks["env"].to_list()))
    fig, axes = plt.subplots(len(envs), len(alphas), figsize=(3.6 * len(alphas), 3.2 * len(envs)), squeeze=False,
                             layout="constrained")
    cmap = sns.color_palette("rocket", as_cmap=True)  # dark for low values: rank 1 darkest
    for r, env in enumerate(envs):
        part = ranks.filter(pl.col("env") == env)
        shown = part.filter(pl.col("ltp").is_not_nan())
        for c, a in enumerate(alphas):
            ax, rank = axes[r][c], f"rank_{a:g}"
            points = ax.scatter(shown["mean"], shown["ltp"], c=shown[rank], cmap=cmap, vmin=1, vmax=part.height, s=22)
            best = shown.filter(pl.col(rank) == 1)
            ax.scatter(best["mean"], best["ltp"], marker="*", s=220, color=cmap(0.0), edgecolor="white", zorder=3)
            ax.set_title(f"{env}: {float(a)}-CVaR", fontsize=9)
            ax.set_xlabel("mean post-update return")
            ax.set_ylabel("LTP")
        fig.colorbar(points, ax=axes[r].tolist(), label="rank (1: highest CVaR)")
    fig.savefig(path, dpi=110)
    plt.close(fig)
