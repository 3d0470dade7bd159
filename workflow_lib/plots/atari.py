"""The paper's Atari figures (A.6): Figure 20, PURD histograms of chosen policies per game, and
Figure 21, PURD mean against std per game. (Figure 19 is the interpolation study's BTP figure
on the games: plots.interpolation.btp_figure.)"""

from __future__ import annotations

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

from workflow_lib.analysis.selection import diverse  # noqa: E402
from workflow_lib.core.tables import read_returns  # noqa: E402
from workflow_lib.envs.gym_frames import study_subject  # noqa: E402
from workflow_lib.plots.style import algo_colors  # noqa: E402


def _grid(n: int, width: float, height: float):
    cols = min(n, 4)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes.flat


def _suptitle(fig, text: str) -> None:
    """The figure's title, each line wrapped to the figure's width (one game's panel is narrow,
    and the title names the runs, the update and the return)."""
    width = max(30, int(fig.get_figwidth() * 11))  # characters of 10-point text an inch, with margins
    fig.suptitle("\n".join(textwrap.fill(line, width) for line in text.split("\n")), fontsize=10)


def figure21(table: pl.DataFrame, scale: str, path: str) -> None:
    """PURD mean against standard deviation of every policy, one panel per game; `scale` (the
    study's size: runs, steps, N) goes in the title, as the laptop study is far smaller."""
    games = sorted(table["env"].unique())
    fig, axes = _grid(len(games), 3.6, 3.2)
    colors = algo_colors(table["algo"].unique())
    for ax, game in zip(axes, games):
        part = table.filter(pl.col("env") == game)
        for algo in part["algo"].unique(maintain_order=True):
            rows = part.filter(pl.col("algo") == algo)
            ax.scatter(rows["mean"], rows["std"], s=18, alpha=0.7, color=colors[algo], label=algo)
        ax.set_title(game.removeprefix("atari-"))
        ax.set_xlabel("mean post-update return")
        ax.set_ylabel("standard deviation")
    _suptitle(fig, f"{study_subject(games)}: post-update return distributions ({scale})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def chosen_purds(stats: pl.DataFrame, paths: list[str], per_game: int) -> tuple[pl.DataFrame, list[np.ndarray]]:
    """(rows, returns) of Figure 20's policies: per game the `per_game` policies that differ most
    in their statistics (analysis.selection.diverse, from the best mean), each with its PURD read
    from `paths` (the games' PURD files, named .../<env>/<algo>/<algo>/seed<s>/step<t>.parquet)."""
    rows = pl.concat([diverse(stats.filter(pl.col("env") == g), per_game) for g in sorted(stats["env"].unique())])
    returns = []
    for row in rows.iter_rows(named=True):
        tail = f"/{row['env']}/{row['algo']}/{row['algo']}/seed{row['seed']}/step{row['step']}.parquet"
        path = next((p for p in paths if str(p).endswith(tail)), None)
        if path is None:
            raise FileNotFoundError(f"no PURD file of {row['env']} {row['algo']} seed {row['seed']} step {row['step']}")
        returns.append(read_returns(path, {k: row[k] for k in ("env", "algo", "seed", "step")}))
    return rows, returns


def figure20(chosen: pl.DataFrame, returns: list[np.ndarray], scale: str, path: str, bins: int = 30) -> None:
    """Histograms of the PURDs of the chosen policies (rows of `chosen`, their returns in the same
    order), one row of panels per game, each titled with its policy and statistics."""
    games = sorted(chosen["env"].unique())
    per_game = max(chosen.group_by("env").len()["len"].max(), 1)
    fig, axes = plt.subplots(len(games), per_game, figsize=(3.4 * per_game, 2.6 * len(games)), squeeze=False)
    for r, game in enumerate(games):
        rows = [(i, row) for i, row in enumerate(chosen.iter_rows(named=True)) if row["env"] == game]
        for c in range(per_game):
            ax = axes[r][c]
            if c >= len(rows):
                ax.set_visible(False)
                continue
            i, row = rows[c]
            ax.hist(returns[i], bins=bins, color="#2ca02c", alpha=0.8)
            ax.axvline(row["mean"], color="black", lw=1, ls="--")
            ax.set_title(f"{game.removeprefix('atari-')} seed {row['seed']} step {row['step']}\n"
                         f"mean {row['mean']:.0f}, std {row['std']:.0f}", fontsize=8)
            ax.set_xlabel("post-update return", fontsize=8)
    _suptitle(fig, f"{study_subject(games)}: post-update return histograms ({scale})")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
