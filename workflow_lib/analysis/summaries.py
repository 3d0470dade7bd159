"""The summaries the figures of Algorithm 1 and the BTP draw, as tables: LTP reduction and rejection
rates of Algorithm 1's traces, CVaR ranks of policies, BTP per env and over envs. Statistics on
data, kept out of plots/ so that they are tested on numbers, not images."""

from __future__ import annotations

import numpy as np
import polars as pl

from workflow_lib.analysis import stats
from workflow_lib.analysis.stats import stratified_bootstrap

# The columns that name one run of Algorithm 1 (a trace).
RUN_KEYS = ["env", "algo", "start", "run", "variant"]
# The BTP's kinds of random pair: two policies of the same run, or of different runs.
BTP_RUNS = ("same", "different")


def ltp_reduction(traces: pl.DataFrame, resamples: int = 1000, confidence: float = 0.95) -> pl.DataFrame:
    """Per variant and proposal k: the LTP reduction LTP(start) - LTP(held after k) and the change of
    the PURD mean, averaged over the starting policies and runs of each env, then over envs, with a
    stratified bootstrap interval (envs are the strata). Undefined LTPs (mode <= 0) are left out."""
    first = traces.filter(pl.col("proposal") == 0).select(
        *RUN_KEYS, ltp0=pl.col("current_ltp").fill_nan(None), mean0=pl.col("current_mean"))
    t = traces.join(first, on=RUN_KEYS).with_columns(
        ltp_reduction=pl.col("ltp0") - pl.col("current_ltp").fill_nan(None),
        mean_change=pl.col("current_mean") - pl.col("mean0"))
    rows = []
    for (variant, proposal), group in t.group_by(["variant", "proposal"], maintain_order=True):
        for metric in ("ltp_reduction", "mean_change"):
            groups = [g[metric].drop_nulls().to_numpy() for _, g in group.group_by("env", maintain_order=True)]
            agg = stats.stratified_bootstrap(groups, resamples, confidence)
            rows.append({"variant": variant, "proposal": proposal, "metric": metric, "value": agg["mean"],
                         "lo": agg["lo"], "hi": agg["hi"], "runs": int(sum(map(len, groups)))})
    return pl.DataFrame(rows).sort("metric", "variant", "proposal")


def endpoints(traces: pl.DataFrame) -> pl.DataFrame:
    """Per env, starting policy and variant: PURD mean and LTP of the start and of the policy held
    after the last proposal, averaged over runs."""
    last = traces["proposal"].max()
    ends = traces.filter(pl.col("proposal").is_in([0, last])).with_columns(
        at=pl.when(pl.col("proposal") == 0).then(pl.lit("start")).otherwise(pl.lit("end")),
        current_ltp=pl.col("current_ltp").fill_nan(None))
    means = ends.group_by(["env", "start", "seed", "step", "variant", "at"]).agg(
        pl.col("current_mean").mean().alias("mean"), pl.col("current_ltp").mean().alias("ltp"))
    return means.pivot(on="at", index=["env", "start", "seed", "step", "variant"], values=["mean", "ltp"]).sort(
        "env", "start", "variant")


def rejection_rates(traces: pl.DataFrame) -> pl.DataFrame:
    """Per env: the share of proposals Algorithm 1 rejected, mean over starting policies and runs,
    with its standard error."""
    runs = traces.filter((pl.col("variant") == "rejection") & (pl.col("proposal") > 0)).group_by(
        ["env", "start", "run"]).agg((1.0 - pl.col("accepted").cast(pl.Float64).mean()).alias("rate"))
    return runs.group_by("env", maintain_order=True).agg(
        pl.len().alias("runs"), pl.col("rate").mean(), (pl.col("rate").std() / pl.len().sqrt()).fill_null(0.0).alias("se"),
    ).sort("env")


def cvar_ranks(policies: pl.DataFrame, returns: list[np.ndarray], alphas) -> pl.DataFrame:
    """The policies (rows of a statistics table) with CVaR_alpha of their PURD returns at each level
    and their rank within their env (1: the highest CVaR)."""
    values = {stats.cvar_name(a): [float(stats.cvar(np.asarray(r, np.float64), a)) for r in returns] for a in alphas}
    table = policies.select("env", "algo", "seed", "step", "mean", "ltp").with_columns(
        **{k: pl.Series(v) for k, v in values.items()})
    ranks = {f"rank_{a:g}": pl.col(stats.cvar_name(a)).rank("ordinal", descending=True).over("env").cast(pl.Int64)
             for a in alphas}
    return table.with_columns(**ranks)


def btp_summary(tables: dict[str, pl.DataFrame], resamples: int = 1000, confidence: float = 0.95) -> pl.DataFrame:
    """Mean BTP per env and run kind, and over envs with a stratified bootstrap interval."""
    rows = []
    for run in BTP_RUNS:
        groups = {env: t.filter(pl.col("run") == run)["btp"].to_numpy() for env, t in tables.items() if t.height}
        for env, values in groups.items():
            one = stratified_bootstrap([values], resamples, confidence)
            rows.append({"env": env, "run": run, "pairs": len(values), "btp": one["mean"], "lo": one["lo"],
                         "hi": one["hi"]})
        agg = stratified_bootstrap(list(groups.values()), resamples, confidence)
        rows.append({"env": "all", "run": run, "pairs": int(sum(map(len, groups.values()))), "btp": agg["mean"],
                     "lo": agg["lo"], "hi": agg["hi"]})
    return pl.DataFrame(rows)
