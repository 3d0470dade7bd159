"""Figures drawn from the Parquet tables (seaborn/matplotlib, headless)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polars as pl  # noqa: E402
import seaborn as sns  # noqa: E402

ALGO_COLORS = {"td3": "#1f77b4", "sac": "#ff7f0e", "ppo": "#2ca02c"}


def learning_curves(table: pl.DataFrame, path: str, ci: float = 95.0) -> None:
    """Deterministic return from s_I during training: mean over seeds with a bootstrap band.

    One row per env; off-policy and on-policy learners in separate columns since their step
    counts differ by orders of magnitude.
    """
    envs = sorted(table["env"].unique())
    groups = [g for g in (["td3", "sac"], ["ppo"]) if table.filter(pl.col("algo").is_in(g)).height]
    fig, axes = plt.subplots(len(envs), len(groups), figsize=(5 * len(groups), 3.2 * len(envs)), squeeze=False)
    for r, env in enumerate(envs):
        for c, algos in enumerate(groups):
            ax = axes[r][c]
            data = table.filter((pl.col("env") == env) & pl.col("algo").is_in(algos)).to_pandas()
            sns.lineplot(data=data, x="step", y="return", hue="algo", palette=ALGO_COLORS,
                         errorbar=("ci", ci), ax=ax)
            ax.set_title(f"{env}: {', '.join(a.upper() for a in algos)}")
            ax.set_xlabel("environment steps")
            ax.set_ylabel("return from $s_I$")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
