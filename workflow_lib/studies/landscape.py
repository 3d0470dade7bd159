"""The return landscape around a policy (Fig. 1, Fig. 27; docs/protocol.md, "Landscape").

theta(a, b) = theta0 + a (theta' - theta0) + b (theta'' - theta0) over a grid of (a, b), one
deterministic return from s_I per point. The directions are either two independent updates of
the checkpoint's own algorithm (the paper's: 1.0 on an axis is one update), or filter-normalised
Gaussian directions (Li et al. 2018), which the paper did not use. A chunk of grid points is one
jitted program (the PURD engine's rollouts, vmapped over the points' parameters).
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Callable

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.core.tables import with_identity
from workflow_lib.studies import failures, purd
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine.program import Target
from workflow_lib.engine.program import evaluate as engine_evaluate
from workflow_lib.engine.rollout import RolloutSettings

DIRECTIONS = ("update", "filter")


def direction_key(policy: purd.Policy, directions: str) -> jax.Array:
    """The key of a policy's two directions, the same for every window (so zooms share a plane)."""
    return purd.root_key(policy.env, policy.algo, policy.seed, policy.step, f"landscape/{directions}")


def update_directions(policy: purd.Policy, settings: purd.Settings) -> tuple[dict, dict]:
    """theta' - theta0 and theta'' - theta0: two independent updates of the policy's own algorithm."""
    root = direction_key(policy, "update")
    theta0 = ALGORITHMS[policy.algo].module.actor_params(policy.agent)
    step = jax.jit(purd.one_update(policy, policy.algo, settings))
    ends = [step(jax.random.fold_in(root, i)) for i in (0, 1)]
    return tuple(jax.tree.map(jnp.subtract, end, theta0) for end in ends)


def filter_normalised(params: dict, key: jax.Array) -> dict:
    """A Gaussian direction with each filter scaled to the norm of the same filter of `params`
    (Li et al. 2018). A Dense kernel (inputs, units) has one filter per unit (a column); vectors
    (biases, PPO's log-std) get zero, as Li et al. do for biases."""
    leaves, tree = jax.tree.flatten(params)
    out = []
    for leaf, k in zip(leaves, jax.random.split(key, len(leaves))):
        if leaf.ndim < 2:
            out.append(jnp.zeros_like(leaf))
            continue
        d = jax.random.normal(k, leaf.shape, leaf.dtype)
        norm = lambda x: jnp.linalg.norm(x, axis=0, keepdims=True)  # noqa: E731
        out.append(d * norm(leaf) / jnp.maximum(norm(d), 1e-12))
    return jax.tree.unflatten(tree, out)


def random_directions(policy: purd.Policy) -> tuple[dict, dict]:
    theta0 = ALGORITHMS[policy.algo].module.actor_params(policy.agent)
    root = direction_key(policy, "filter")
    return tuple(filter_normalised(theta0, jax.random.fold_in(root, i)) for i in (0, 1))


def grid(window: float, size: int) -> np.ndarray:
    """(size*size, 2) coordinates (a, b) on [-window, window]^2, a varying slowest."""
    axis = np.linspace(-window, window, size, dtype=np.float32)
    a, b = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([a.ravel(), b.ravel()], axis=1)


@dataclasses.dataclass(frozen=True)
class Plane:
    """The engine recipe of a landscape: item (a, b) is theta0 + a d1 + b d2; fixed = (d1, d2)."""

    def __call__(self, learner, agent, fixed, coords, n_devices):
        d1, d2 = fixed
        theta0 = learner.actor_params(agent)
        at = lambda c: jax.tree.map(lambda t, x, y: t + c[0] * x + c[1] * y, theta0, d1, d2)  # noqa: E731
        return jax.vmap(at)(coords)


def evaluate(policy: purd.Policy, d1: dict, d2: dict, coords: np.ndarray, settings: purd.Settings,
             log: logging.Logger | None = None) -> dict[str, np.ndarray]:
    """Deterministic return and episode length at theta0 + a d1 + b d2 for each row (a, b)."""
    target = Target(policy.env, policy.backend, policy.algo)
    rollout = RolloutSettings(settings.batch_size, settings.episode_length)
    label = f"{policy.env} {policy.algo} seed {policy.seed} step {policy.step}"
    return engine_evaluate(target, Plane(), policy.agent, (d1, d2), np.asarray(coords, np.float32), rollout,
                           log=log, label=label, unit="grid points")


def landscape(policy: purd.Policy, directions: str, window: float, size: int, settings: purd.Settings,
              log: logging.Logger | None = None) -> pl.DataFrame:
    """The landscape table of one policy on one window: a, b, return, length."""
    if directions not in DIRECTIONS:
        raise ValueError(f"unknown directions {directions!r}; expected one of {DIRECTIONS}")
    d1, d2 = update_directions(policy, settings) if directions == "update" else random_directions(policy)
    coords = grid(window, size)
    out = evaluate(policy, d1, d2, coords, settings, log)
    return pl.DataFrame({"a": coords[:, 0].astype(np.float64), "b": coords[:, 1].astype(np.float64),
                         "return": out["return"].astype(np.float64), "length": out["length"]})


def grid_tables(picks: pl.DataFrame, load: Callable[[dict], purd.Policy], directions: str, window: float, size: int,
                settings: purd.Settings, log: logging.Logger | None = None) -> pl.DataFrame:
    """The landscape of every picked policy (rows of picks: role, env, algo, seed, step) on one
    window, one table with the role and identity in front."""
    parts = []
    for row in picks.iter_rows(named=True):
        table = landscape(load(row), directions, window, size, settings, log)
        parts.append(with_identity(table, {k: row[k] for k in ("role", "algo", "seed", "step")}))
    return pl.concat(parts)


def histogram_samples(picks: pl.DataFrame, load: Callable[[dict], purd.Policy], settings: purd.Settings,
                      log: logging.Logger | None = None) -> pl.DataFrame:
    """The large PURDs of the picked policies (Figure 1's histograms), under their own updates."""
    parts = []
    for row in picks.iter_rows(named=True):
        table = purd.to_table(purd.sample(load(row), row["algo"], settings, log))
        parts.append(with_identity(table, {k: row[k] for k in ("role", "algo", "seed", "step")}))
    return pl.concat(parts)


def gaits(picks: pl.DataFrame, load: Callable[[dict], purd.Policy], episode_length: int,
          log: logging.Logger | None = None) -> pl.DataFrame:
    """Each picked policy's own rollout from s_I, step by step (Figure 1's gaits)."""
    records = []
    for row in picks.iter_rows(named=True):
        identity = {k: row[k] for k in ("env", "algo", "seed", "step")}
        recorded = failures.reference(load(row), episode_length)
        records += failures.rows({**identity, "role": row["role"]}, {k: v[None] for k, v in recorded.items()})
        if log is not None:
            log.info("%s: return %.1f over %d steps", row["role"], recorded["return"], recorded["length"])
    return failures.to_table(records)
