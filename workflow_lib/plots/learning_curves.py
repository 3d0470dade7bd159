"""The learning curves: each learner's deterministic return from s_I during training."""

from __future__ import annotations

import polars as pl

from workflow_lib.plots.style import algo_colors, learner_groups, plt, sns


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
