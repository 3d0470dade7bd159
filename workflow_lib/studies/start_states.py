"""Instability from other start states (A.4, Figure 10): a policy's post-update returns when the
rollouts start from training states stored with the replay buffer instead of s_I.

The states are the full physics states training kept (training.load_states), so a rollout
resumes exactly where the stored transition was taken. Every start state uses the checkpoint's
own PURD keys: the same N updated policies are rolled out from each state (common random
numbers), so the differences between states are the states' alone.
"""

from __future__ import annotations

import logging
import time

import jax
import numpy as np
import polars as pl

from workflow_lib.studies import purd
from workflow_lib.training.files import load_states
from workflow_lib.analysis.stats import StatsSettings, stats_table

KEYS = ("env", "algo", "seed", "step", "state", "collection_time")


def pick(n_stored: int, k: int | None) -> np.ndarray:
    """Indices of k stored states evenly spaced over collection time, first and last included
    (all of them when k is None or at least n_stored)."""
    if k is None or k >= n_stored:
        return np.arange(n_stored)
    return np.unique(np.round(np.linspace(0, n_stored - 1, k)).astype(int))


def sample(policy: purd.Policy, states, times: list[int], picked: np.ndarray, settings: purd.Settings,
           log: logging.Logger | None = None) -> pl.DataFrame:
    """The policy's returns after one update of its own algorithm, from each picked state: one row
    per (state, sample) with the state's index and collection time (its replay buffer index)."""
    root = purd.root_key(policy.env, policy.algo, policy.seed, policy.step, policy.algo)
    policy = purd.placed(policy, policy.algo, settings)  # once, not once per state
    parts, t0 = [], time.monotonic()
    for n, i in enumerate(picked, 1):
        start = jax.tree.map(lambda x, i=i: x[i], states)
        out = purd.sample(policy, policy.algo, settings, root=root, start=start)
        parts.append(pl.DataFrame({
            "state": int(i), "collection_time": int(times[i]), "sample": out["sample"].astype(np.int64),
            "return": out["return"].astype(np.float64), "length": out["length"].astype(np.int32),
        }))
        if log is not None:
            log.info("step %d: state %d/%d (collected at %d): mean %.1f, %.0f env-steps/s", policy.step, n,
                     len(picked), times[i], out["return"].mean(),
                     n * settings.n * settings.episode_length / (time.monotonic() - t0))
    return pl.concat(parts).select(
        env=pl.lit(policy.env), algo=pl.lit(policy.algo), seed=pl.lit(policy.seed, pl.Int64),
        step=pl.lit(policy.step, pl.Int64), state=pl.col("state").cast(pl.Int64),
        collection_time=pl.col("collection_time").cast(pl.Int64), sample="sample", **{"return": "return"},
        length="length",
    )


def statistics(returns: pl.DataFrame, settings: StatsSettings = StatsSettings()) -> pl.DataFrame:
    """The statistics of each (policy, start state)'s returns, bootstrapped as the PURD statistics
    tables' (so that they compare with the LTP from s_I): mean, std, skew, mode, LTP, CVaR, each
    with its interval, and n."""
    identities, values = [], []
    for key, group in returns.sort(["sample"]).group_by(KEYS, maintain_order=True):
        identities.append(dict(zip(KEYS, key)))
        values.append(group["return"].to_numpy())
    return stats_table(identities, values, settings).sort(KEYS)


def ltp_by_time(table: pl.DataFrame) -> pl.DataFrame:
    """Figure 10's curves: per (env, seed, collection time) the LTP averaged over checkpoints
    (where it is defined), with the number of checkpoints averaged; none where it never is."""
    return (table.filter(pl.col("ltp").is_not_nan())
            .group_by(["env", "seed", "collection_time"])
            .agg(ltp=pl.col("ltp").mean(), checkpoints=pl.len())
            .sort(["env", "seed", "collection_time"]))


def run_table(checkpoints: list[str], replay: str, states_path: str, n_states: int | None, settings: purd.Settings,
              log: logging.Logger | None = None) -> tuple[pl.DataFrame, dict]:
    """(returns, meta) of one TD3 run's Figure 10 job: every checkpoint rolled out after one update
    from `n_states` of the training states kept with its replay buffer (evenly spaced)."""
    meta, states = load_states(states_path)
    times = meta["collection_times"]
    picked = pick(len(times), n_states)
    if log is not None:
        log.info("%s td3 seed %s: %d checkpoints x %d start states (of %d kept) x N = %d", meta["env"], meta["seed"],
                 len(checkpoints), len(picked), len(times), settings.n)
    parts = [sample(purd.load_policy(path, replay), states, times, picked, settings, log) for path in checkpoints]
    return pl.concat(parts), {"states": len(picked)}
