"""Figure 22's numbers (A.7): statistics of every clone's PURD beside its teacher's, the Pearson
correlation of the mean and of the LTP over (clone, teacher) pairs per env, and the mean LTP of
TD3 and BC policies over envs."""

from __future__ import annotations

import numpy as np
import polars as pl

from workflow_lib.analysis.stats import StatsSettings, bootstrap_seed, stratified_bootstrap, summarize

CLONE_KEYS = ["env", "seed", "teacher_step", "clone", "bc_step"]
COMPARED = ("mean", "ltp")


def clone_statistics(returns: pl.DataFrame, teachers: pl.DataFrame,
                     settings: StatsSettings = StatsSettings()) -> pl.DataFrame:
    """One row per clone: its bootstrapped PURD statistics and its teacher's (teacher_<stat>), the
    teacher's from the TD3 rows of the statistics tables (seed, step = teacher_step)."""
    rows = []
    for key, group in returns.group_by(CLONE_KEYS, maintain_order=True):
        identity = dict(zip(CLONE_KEYS, key))
        rows.append({**identity, **summarize(group.sort("sample")["return"].to_numpy(), settings,
                                             bootstrap_seed("bc", *identity.values()))})
    teacher = teachers.filter(pl.col("algo") == "td3").select(
        "env", "seed", teacher_step="step", **{f"teacher_{c}": c for c in ("mean", "std", "ltp", "ltp_defined")})
    return pl.DataFrame(rows).join(teacher, on=["env", "seed", "teacher_step"], how="left").sort(CLONE_KEYS)


def pearson(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's r over the pairs where both values are defined; NaN with fewer than 3 such pairs
    or a constant side (r is undefined)."""
    ok = ~(np.isnan(x) | np.isnan(y))
    x, y = x[ok], y[ok]
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def correlations(clones: pl.DataFrame) -> pl.DataFrame:
    """Figure 22's table: per env, Pearson's r between clone and teacher of the PURD mean and of
    the LTP, over every (clone, teacher) pair, with the number of pairs each uses."""
    rows = []
    for (env,), g in clones.group_by(["env"], maintain_order=True):
        row = {"env": env}
        for stat in COMPARED:
            x, y = g[f"teacher_{stat}"].to_numpy().astype(float), g[stat].to_numpy().astype(float)
            row[f"corr_{stat}"] = pearson(x, y)
            row[f"pairs_{stat}"] = int((~(np.isnan(x) | np.isnan(y))).sum())
        rows.append(row)
    return pl.DataFrame(rows)


def ltp_comparison(clones: pl.DataFrame, resamples: int = 1000, confidence: float = 0.95) -> pl.DataFrame:
    """Figure 22 (right): mean LTP of the TD3 teachers (each once) and of their BC clones, averaged
    per env then over envs, with a stratified bootstrap interval (envs the strata, as rliable).
    Both learners are averaged over the same envs: those where each has a defined LTP."""
    teachers = clones.unique(["env", "seed", "teacher_step"]).select("env", ltp="teacher_ltp")
    tables = {"TD3": teachers, "BC": clones.select("env", "ltp")}
    defined = {name: t.with_columns(pl.col("ltp").fill_nan(None)).drop_nulls() for name, t in tables.items()}
    envs = sorted(set(defined["TD3"]["env"]) & set(defined["BC"]["env"]))
    rows = []
    for learner, table in defined.items():
        groups = [table.filter(pl.col("env") == env)["ltp"].to_numpy() for env in envs]
        agg = stratified_bootstrap(groups, resamples, confidence, seed=bootstrap_seed("bc-ltp", learner))
        rows.append({"learner": learner, "ltp": agg["mean"], "lo": agg["lo"], "hi": agg["hi"],
                     "policies": int(sum(map(len, groups))), "envs": len(envs)})
    return pl.DataFrame(rows)
