"""Figures drawn from the Parquet tables (seaborn/matplotlib, headless)."""

from __future__ import annotations

import html

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
import seaborn as sns  # noqa: E402

from workflow_lib.agents.registry import off_policy  # noqa: E402

ALGO_COLORS = {"td3": "#1f77b4", "sac": "#ff7f0e", "ppo": "#2ca02c"}  # tab10's first three


def algo_colors(algos) -> dict:
    """A colour per learner: the paper's three their own, any other learner (README "Add your own
    learner") the next of tab10's."""
    extra = sorted(set(algos) - set(ALGO_COLORS))
    palette = sns.color_palette("tab10").as_hex()[len(ALGO_COLORS):]
    return {**ALGO_COLORS, **{a: palette[i % len(palette)] for i, a in enumerate(extra)}}


def learner_groups(algos) -> list[list[str]]:
    """Off-policy and on-policy learners, for panels of their own (their step counts differ by
    orders of magnitude): the paper's first, then others by name."""
    others = sorted(set(algos) - set(ALGO_COLORS))
    return [["td3", "sac"] + [a for a in others if off_policy(a)], ["ppo"] + [a for a in others if not off_policy(a)]]


def learning_curves(table: pl.DataFrame, path: str, ci: float = 95.0) -> None:
    """Deterministic return from s_I during training: mean over seeds with a bootstrap band.

    One row per env; off-policy and on-policy learners in separate columns since their step
    counts differ by orders of magnitude.
    """
    envs = sorted(table["env"].unique())
    groups = [g for g in learner_groups(table["algo"].unique()) if table.filter(pl.col("algo").is_in(g)).height]
    colors = algo_colors(table["algo"].unique())
    fig, axes = plt.subplots(len(envs), len(groups), figsize=(5 * len(groups), 3.2 * len(envs)), squeeze=False)
    for r, env in enumerate(envs):
        for c, algos in enumerate(groups):
            ax = axes[r][c]
            data = table.filter((pl.col("env") == env) & pl.col("algo").is_in(algos)).to_pandas()
            sns.lineplot(data=data, x="step", y="return", hue="algo", palette=colors,
                         errorbar=("ci", ci), ax=ax)
            ax.set_title(f"{env}: {', '.join(a.upper() for a in algos)}")
            ax.set_xlabel("environment steps")
            ax.set_ylabel("return from $s_I$")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


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


def html_table(table: pl.DataFrame, columns: list[str]) -> str:
    """A table as an HTML page for the report, floats to 3 significant digits."""
    head = "".join(f"<th>{c}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{v:.3g}</td>" if isinstance(v, float) else f"<td>{html.escape(str(v))}</td>"
                                    for v in row) + "</tr>" for row in table.select(columns).iter_rows())
    return (f"<html><body><table border='1' cellpadding='4'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></body></html>")
