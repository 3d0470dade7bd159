"""Recorded rollouts of chosen policies: per-step rewards and coordinates q (Fig. 1 gaits, and the
successful and failing samples of a PURD for Fig. 3, 4 and 23; docs/protocol.md, "Failures")."""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable

import jax
import numpy as np
import polars as pl

from workflow_lib.studies import purd
from workflow_lib.analysis import selection
from workflow_lib.analysis import stats
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.engine.rollout import rollout_return

COLUMNS = {"env": pl.String, "algo": pl.String, "seed": pl.Int64, "step": pl.Int64, "role": pl.String,
           "sample": pl.Int64, "purd_return": pl.Float64, "return": pl.Float64, "length": pl.Int32,
           "rewards": pl.List(pl.Float32), "q": pl.List(pl.List(pl.Float32))}


def reference(policy: purd.Policy, episode_length: int) -> dict[str, np.ndarray]:
    """The checkpoint's own deterministic rollout from s_I, with rewards and coordinates."""
    algo = ALGORITHMS[policy.algo]
    env = make_env(policy.env, policy.backend)
    run = jax.jit(lambda agent, start: rollout_return(env, algo.module.policy, agent, start, episode_length,
                                                      with_rewards=True, with_states=True))
    return jax.device_get(run(policy.agent, reference_state(policy.env, policy.backend)))


def failure_pair(policy: purd.Policy, kind: str, returns: np.ndarray, settings: purd.Settings,
                 ltp_alpha: float = 0.5, tolerance: float = 0.1, bins: int = 100) -> dict | None:
    """A successful and a failing sample of a PURD, rolled out again with rewards and coordinates:
    the update of sample i depends only on its key, so the samples are recomputed, not stored.
    None when the PURD has no failing (or no successful) sample."""
    success, failure = selection.success_and_failure(returns, float(stats.mode(returns, bins)), ltp_alpha,
                                                     tolerance)
    if success is None or failure is None:
        return None
    chosen = np.array([success, failure])
    out = purd.sample(policy, kind, dataclasses.replace(settings, with_rewards=True, with_states=True),
                      indices=chosen)
    return {"role": ["success", "failure"], "purd_return": np.asarray(returns)[chosen], **out}


def rows(identity: dict, recorded: dict) -> list[dict]:
    """Table rows of recorded rollouts (a dict of arrays with a leading rollout axis)."""
    n = len(recorded["return"])
    return [{**identity, **{k: recorded[k][i] for k in ("role", "sample", "purd_return") if k in recorded},
             "return": float(recorded["return"][i]), "length": int(recorded["length"][i]),
             "rewards": np.asarray(recorded["rewards"][i], np.float32).tolist(),
             "q": np.asarray(recorded["q"][i], np.float32).tolist()} for i in range(n)]


def to_table(records: list[dict]) -> pl.DataFrame:
    """The Parquet layout of recorded rollouts (empty with the same columns when there are none)."""
    if not records:
        return pl.DataFrame(schema=COLUMNS)
    columns = {k: [r.get(k) for r in records] for k in COLUMNS}
    return pl.DataFrame(columns, schema=COLUMNS)


def failure_table(picks: pl.DataFrame, load: Callable[[dict], purd.Policy], returns_of: Callable[[dict], np.ndarray],
                  settings: purd.Settings, ltp_alpha: float, tolerance: float, bins: int,
                  log: logging.Logger | None = None) -> pl.DataFrame:
    """Figures 3, 4 and 23: a successful and a failing rollout, recorded step by step, from the
    PURD of each policy of `picks` (selection.failure_policies: the noisy ones, LTP > 0)."""
    if log is not None:
        log.info("%d policies with LTP > 0", picks.height)
    records = []
    for row in picks.iter_rows(named=True):
        identity = {k: row[k] for k in ("env", "algo", "seed", "step")}
        pair = failure_pair(load(identity), row["algo"], returns_of(identity), settings, ltp_alpha, tolerance, bins)
        if pair is None:
            if log is not None:
                log.info("seed %d step %d: no successful or no failing sample", row["seed"], row["step"])
            continue
        records += rows(identity, pair)
        if log is not None:
            log.info("seed %d step %d (LTP %.3f): success %.1f, failure %.1f", row["seed"], row["step"], row["ltp"],
                     *pair["return"])
    return to_table(records)
