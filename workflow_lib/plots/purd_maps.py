"""The PURD maps: Figure 2 and Figures 11-18, one env's policies by PURD mean against std, skewness and LTP."""

from __future__ import annotations

import polars as pl

from workflow_lib.plots.style import algo_colors, plt


def purd_map(table: pl.DataFrame, highlights: pl.DataFrame, path: str, ltp_alpha: float = 0.5) -> None:
    """Figures 2 and 11-18: PURD mean against std, skewness and LTP, one colour per algorithm,
    highlighted policies starred and labelled."""
    env = table["env"][0]
    panels = [("std", "standard deviation"), ("skew", "skewness"), ("ltp", f"LTP$_{{{ltp_alpha:g}}}$")]
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8))
    colors = algo_colors(table["algo"].unique())
    for ax, (column, label) in zip(axes, panels):
        for algo, color in colors.items():
            part = table.filter((pl.col("algo") == algo) & pl.col(column).is_not_nan())
            if part.height:
                ax.scatter(part["mean"], part[column], s=14, alpha=0.6, color=color, label=algo.upper())
        stars = highlights.filter(pl.col(column).is_not_nan())
        ax.scatter(stars["mean"], stars[column], marker="*", s=200, zorder=3, edgecolor="black",
                   color=[colors[a] for a in stars["algo"]], label="highlighted" if column == "std" else None)
        for row in stars.iter_rows(named=True):
            ax.annotate(f"{row['algo']}/{row['seed']}/{row['step']}", (row["mean"], row[column]), fontsize=6,
                        xytext=(4, 4), textcoords="offset points")
        ax.set_xlabel("mean post-update return")
        ax.set_ylabel(label)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{env}: post-update return distributions of {table.height} policies")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
