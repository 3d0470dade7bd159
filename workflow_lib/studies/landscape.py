"""The return landscape around a policy (Fig. 1, Fig. 27; SPEC "Landscape").

theta(a, b) = theta0 + a (theta' - theta0) + b (theta'' - theta0) over a grid of (a, b), one
deterministic return from s_I per point. The directions are either two independent updates of
the checkpoint's own algorithm (the paper's: 1.0 on an axis is one update), or filter-normalised
Gaussian directions (Li et al. 2018), which the paper did not use. A chunk of grid points is one
jitted program (the PURD engine's rollouts, vmapped over the points' parameters).
"""

from __future__ import annotations

import functools
import logging

import jax
import jax.numpy as jnp
import numpy as np
import polars as pl

from workflow_lib.studies import purd
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env, reference_state

DIRECTIONS = ("update", "filter")


def direction_key(policy: purd.Policy, directions: str) -> jax.Array:
    """The key of a policy's two directions, the same for every window (so zooms share a plane)."""
    return purd.root_key(policy.env, policy.algo, policy.seed, policy.step, f"landscape/{directions}")


def update_directions(policy: purd.Policy, settings: purd.Settings) -> tuple[dict, dict]:
    """theta' - theta0 and theta'' - theta0: two independent updates of the policy's own algorithm."""
    algo = ALGORITHMS[policy.algo]
    env = make_env(policy.env, policy.backend)
    update = purd.update_fn(algo, policy.algo, env, settings, policy.max_steps)
    root = direction_key(policy, "update")
    theta0 = algo.module.actor_params(policy.agent)
    step = jax.jit(lambda k: update(policy.agent, policy.buffer, policy.envs, k))
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


@functools.lru_cache(maxsize=8)
def _program(env_name: str, backend: str, algo_name: str, settings: purd.Settings):
    algo = ALGORITHMS[algo_name]
    env = make_env(env_name, backend)
    replicated, sharded = purd.shardings(settings.batch_size)

    def run(agent, d1, d2, start, coords):
        theta0 = algo.module.actor_params(agent)
        at = lambda c: jax.tree.map(lambda t, x, y: t + c[0] * x + c[1] * y, theta0, d1, d2)  # noqa: E731
        return purd.rollouts(algo, env, agent, jax.vmap(at)(coords), start, settings)

    program = jax.jit(run, in_shardings=(replicated,) * 4 + (sharded,), out_shardings=sharded)
    return program, replicated, sharded


def evaluate(policy: purd.Policy, d1: dict, d2: dict, coords: np.ndarray, settings: purd.Settings,
             log: logging.Logger | None = None) -> dict[str, np.ndarray]:
    """Deterministic return and episode length at theta0 + a d1 + b d2 for each row (a, b)."""
    program, replicated, sharded = _program(policy.env, policy.backend, policy.algo,
                                            purd.Settings(batch_size=settings.batch_size,
                                                          episode_length=settings.episode_length))
    fixed = jax.device_put((policy.agent, d1, d2, reference_state(policy.env, policy.backend)), replicated)
    label = f"{policy.env} {policy.algo} seed {policy.seed} step {policy.step}"
    progress = purd.progress_logger(log, label, "grid points", settings.episode_length)
    return purd.run_chunks(program, fixed, np.asarray(coords, np.float32), settings.batch_size, sharded, progress)


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
