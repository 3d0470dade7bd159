"""Figures 3, 23 and 4: how policies of noisy neighbourhoods fail (docs/protocol.md, "Failures")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from workflow_lib.plots import render
from workflow_lib.plots.style import plt

OUTCOME_COLORS = {"success": "#2ca02c", "failure": "#d62728"}


def pairs(table: pl.DataFrame) -> list[tuple[dict, dict]]:
    """(success, failure) rows of each policy, in the table's order (highest LTP first)."""
    out = []
    for (_, _), group in table.group_by(["seed", "step"], maintain_order=True):
        roles = {r["role"]: r for r in group.iter_rows(named=True)}
        out.append((roles["success"], roles["failure"]))
    return out


def _no_pairs(ax, env: str) -> None:
    ax.text(0.5, 0.5, f"{env}: no policy with LTP > 0\nand a failing sample at this scale", ha="center",
            va="center", transform=ax.transAxes)
    ax.set_xticks([])
    ax.set_yticks([])


def failures(tables: dict[str, pl.DataFrame], path: str) -> None:
    """A row per env. Left: reward per timestep of the first pair. Right: the race of cumulative
    returns (success on x, failure on y) of every pair, frozen after termination, with the
    diagonal; the star marks the left pair."""
    envs = list(tables)
    fig, axes = plt.subplots(len(envs), 2, figsize=(11, 3.4 * len(envs)), squeeze=False)
    for r, env in enumerate(envs):
        left, right = axes[r]
        found = pairs(tables[env])
        if not found:
            _no_pairs(left, env)
            _no_pairs(right, env)
            continue
        for row in found[0]:
            rewards = np.asarray(row["rewards"])
            left.plot(np.arange(1, rewards.size + 1), rewards, color=OUTCOME_COLORS[row["role"]], linewidth=0.8,
                      label=f"{row['role']} (return {row['return']:.0f}, {row['length']} steps)")
        left.set_xlabel("timestep")
        left.set_ylabel("reward")
        left.set_title(f"{env}: TD3 seed {found[0][0]['seed']}, step {found[0][0]['step']}", fontsize=9)
        left.legend(fontsize=7)
        top = 0.0
        for k, (ok, bad) in enumerate(found):
            x, y = np.cumsum(ok["rewards"]), np.cumsum(bad["rewards"])
            right.plot(x, y, linewidth=1, alpha=0.8)
            if k == 0:
                right.plot(x[-1], y[-1], marker="*", markersize=14, color="black", zorder=3)
            top = max(top, x.max(), y.max())
        right.plot([0, top], [0, top], color="0.5", linestyle="--", linewidth=1)
        right.set_xlabel("return so far, successful rollout")
        right.set_ylabel("return so far, failing rollout")
        right.set_title(f"{env}: {len(found)} pairs", fontsize=9)
    fig.suptitle("Failures in noisy neighbourhoods: a successful and a failing sample of the same PURD")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure4(table: pl.DataFrame, env: str, backend: str, path: str, frames: int = 8) -> None:
    """The successful (top) and failing (bottom) rollouts of the first pair, as frames."""
    found = pairs(table)
    if not found:
        fig, ax = plt.subplots(figsize=(6, 2))
        _no_pairs(ax, env)
    else:
        fig, axes = plt.subplots(2, frames, figsize=(1.9 * frames, 4.6), squeeze=False)
        for r, row in enumerate(found[0]):
            render.draw_strip(list(axes[r]), env, backend, np.asarray(row["q"]), row["length"],
                              OUTCOME_COLORS[row["role"]])
            axes[r][0].set_ylabel(f"{row['role']}\nreturn {row['return']:.0f}", fontsize=9)
        first = found[0][0]
        fig.suptitle(f"{env}: two samples of the PURD of TD3 seed {first['seed']}, step {first['step']}")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def viewer_pages(table: pl.DataFrame, env: str, backend: str, paths: tuple[str, str]) -> None:
    """Figure 4's two HTML pages: Brax's viewer of the first failure pair's successful and failing
    rollouts (up to their ends), or a page saying there is none at this scale."""
    found = pairs(table)
    for row, out in zip(found[0] if found else [None, None], paths):
        if row is None:
            page = f"<html><body><p>{env}: no TD3 policy with LTP &gt; 0 and a failing sample at this scale.</p></body></html>"
        else:
            page = render.viewer_page(env, backend, row["q"][: row["length"]])
        Path(out).write_text(page)
