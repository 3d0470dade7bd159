"""Figures 1 and 27: the landscape around a noisy and a smooth policy, their PURDs and gaits."""

from __future__ import annotations

import numpy as np
import polars as pl

from workflow_lib.plots import render
from workflow_lib.plots.style import plt

ROLE_COLORS = {"noisy": "#d62728", "smooth": "#1f77b4"}


def _policy_name(row: dict) -> str:
    return f"{row['role']}: {row['algo'].upper()} seed {row['seed']}, step {row['step']}"


def heatmap(ax, grid: pl.DataFrame, vmin: float | None = None, vmax: float | None = None):
    """The landscape of one policy on one window: return over (a, b), the policy at the origin."""
    size = int(round(np.sqrt(grid.height)))
    w = float(grid["a"].max())
    half = w / (size - 1)  # cells centred on the grid points
    values = grid.sort(["a", "b"])["return"].to_numpy().reshape(size, size)  # [a, b]
    image = ax.imshow(values.T, origin="lower", extent=(-w - half, w + half, -w - half, w + half), cmap="magma",
                      vmin=vmin, vmax=vmax,
                      interpolation="nearest", aspect="equal")
    ax.plot(0, 0, marker="+", color="white", markersize=8)
    ax.set_xlabel(r"$\alpha$ (update 1)")
    ax.set_ylabel(r"$\beta$ (update 2)")
    return image


def figure1(picks: pl.DataFrame, grid: pl.DataFrame, purds: pl.DataFrame, gaits: pl.DataFrame, backend: str,
            path: str, frames: int = 8, ltp_alpha: float = 0.5) -> None:
    """A row per policy: landscape on the first window, PURD histogram with its mean (orange line),
    and frames of the policy's own gait from s_I."""
    fig = plt.figure(figsize=(17, 3.4 * picks.height), layout="constrained")
    outer = fig.add_gridspec(picks.height, 3, width_ratios=[1.1, 1.2, 3.4])
    for r, row in enumerate(picks.iter_rows(named=True)):
        role = row["role"]
        ax = fig.add_subplot(outer[r, 0])
        fig.colorbar(heatmap(ax, grid.filter(pl.col("role") == role)), ax=ax, label="return", shrink=0.85)
        ax.set_title(_policy_name(row), fontsize=9)
        ax = fig.add_subplot(outer[r, 1])
        returns = purds.filter(pl.col("role") == role)["return"].to_numpy()
        ax.hist(returns, bins=100, color=ROLE_COLORS.get(role, "0.4"), alpha=0.8)
        ax.axvline(returns.mean(), color="orange", linewidth=2, label=f"mean {returns.mean():.0f}")
        ax.set_xlabel("post-update return")
        ax.set_ylabel("samples")
        ax.set_title(f"PURD, {returns.size} samples; LTP$_{{{ltp_alpha:g}}}$ {row['ltp']:.3f}, std {row['std']:.0f}",
                     fontsize=9)
        ax.legend(fontsize=8)
        gait = gaits.filter(pl.col("role") == role).row(0, named=True)
        strip = outer[r, 2].subgridspec(1, frames)
        axes = [fig.add_subplot(strip[0, k]) for k in range(frames)]
        render.draw_strip(axes, gait["env"], backend, np.asarray(gait["q"]), gait["length"],
                          ROLE_COLORS.get(role, "0.6"))
        axes[0].set_ylabel(f"gait, return {gait['return']:.0f}", fontsize=8)
    fig.suptitle(f"{picks['env'][0]}: the landscape around two {picks['algo'][0].upper()} policies of similar "
                 "mean, their post-update return distributions and gaits")
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure27(picks: pl.DataFrame, grids: list[tuple[float, pl.DataFrame]], path: str) -> None:
    """A row per policy, a column per window (widest first), one colour scale per row."""
    windows = sorted(grids, key=lambda wg: -wg[0])
    fig, axes = plt.subplots(picks.height, len(windows), figsize=(4.2 * len(windows) + 1, 3.8 * picks.height),
                             squeeze=False, layout="constrained")
    for r, row in enumerate(picks.iter_rows(named=True)):
        mine = [g.filter(pl.col("role") == row["role"]) for _, g in windows]
        lo = min(float(g["return"].min()) for g in mine)
        hi = max(float(g["return"].max()) for g in mine)
        for c, ((w, _), g) in enumerate(zip(windows, mine)):
            image = heatmap(axes[r][c], g, lo, hi)
            axes[r][c].set_title(f"{_policy_name(row)}\nwindow $\\pm${w:g}", fontsize=8)
        fig.colorbar(image, ax=list(axes[r]), label="return", shrink=0.85)
    fig.suptitle(f"{picks['env'][0]}: the same landscapes at {len(windows)} zoom levels")
    fig.savefig(path, dpi=110)
    plt.close(fig)
