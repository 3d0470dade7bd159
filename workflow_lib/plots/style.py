"""The figures' shared style: headless matplotlib, a colour per learner, the learners' panels, HTML
tables for the report. Each figure is drawn in the module named after it."""

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


def html_table(table: pl.DataFrame, columns: list[str]) -> str:
    """A table as an HTML page for the report, floats to 3 significant digits."""
    head = "".join(f"<th>{c}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{v:.3g}</td>" if isinstance(v, float) else f"<td>{html.escape(str(v))}</td>"
                                    for v in row) + "</tr>" for row in table.select(columns).iter_rows())
    return (f"<html><body><table border='1' cellpadding='4'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></body></html>")
