"""Interpolation between two policies (Sec. 4.1, A.3; SPEC "Interpolation").

theta(a) = a theta1 + (1 - a) theta2 at P points, both ends included, each point optionally
perturbed by S Gaussian samples (sigma 3e-4) whose keys are the same at every point of a pair
(common random numbers: the path's variation is the landscape's, not the noise's). All (point,
sample) items of a pair go through one jitted program per chunk: parameters built in the program,
rolled out by the PURD engine's vmapped rollout.
"""

from __future__ import annotations

import functools
import hashlib
import logging

import jax
import numpy as np
import polars as pl

from workflow_lib.studies import purd
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.native import make_env, reference_state


def alphas(points: int) -> np.ndarray:
    """The P interpolation coefficients, from 0 (theta2) to 1 (theta1)."""
    return np.linspace(0.0, 1.0, points, dtype=np.float32)


def pair_key(first: purd.Policy, second: purd.Policy) -> jax.Array:
    """The perturbation key of a pair, from both policies' identities."""
    name = f"interpolation/{first.seed}/{first.step}/{second.seed}/{second.step}"
    salt = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
    return jax.random.fold_in(purd.root_key(first.env, first.algo, 0, 0, "interpolation"), salt)


@functools.lru_cache(maxsize=8)
def _program(env_name: str, backend: str, algo_name: str, settings: purd.Settings):
    algo = ALGORITHMS[algo_name]
    env = make_env(env_name, backend)
    replicated, sharded = purd.shardings(settings.batch_size)
    sigma = settings.sigma

    def run(agent, theta1, theta2, start, root, items):
        def params(item):  # item = (alpha, sample index); sample -1: unperturbed
            a, s = item[0], item[1]
            theta = jax.tree.map(lambda x, y: a * x + (1.0 - a) * y, theta1, theta2)
            noisy = purd.perturb(theta, jax.random.fold_in(root, s.astype(np.uint32)), sigma)
            return jax.tree.map(lambda n, t: jax.numpy.where(s >= 0, n, t), noisy, theta)

        return purd.rollouts(algo, env, agent, jax.vmap(params)(items), start, settings)

    program = jax.jit(run, in_shardings=(replicated,) * 5 + (sharded,), out_shardings=sharded)
    return program, replicated, sharded


def path(first: purd.Policy, second: purd.Policy, points: int, samples: int, settings: purd.Settings,
         log: logging.Logger | None = None) -> pl.DataFrame:
    """Returns along the path from `second` (alpha 0) to `first` (alpha 1): one unperturbed rollout
    per point when samples is 0 (sample -1), else `samples` perturbed ones (sigma = settings.sigma)
    per point. Columns: point, alpha, sample, return, length."""
    if (first.env, first.backend, first.algo) != (second.env, second.backend, second.algo):
        raise ValueError("interpolation needs two policies of one env, backend and algorithm")
    a = alphas(points)
    sample_ids = np.arange(samples) if samples else np.array([-1])
    items = np.stack([np.repeat(a, len(sample_ids)), np.tile(sample_ids, points).astype(np.float32)], axis=1)
    program, replicated, sharded = _program(first.env, first.backend, first.algo,
                                            purd.Settings(batch_size=settings.batch_size, sigma=settings.sigma,
                                                          episode_length=settings.episode_length))
    mod = ALGORITHMS[first.algo].module
    fixed = jax.device_put((first.agent, mod.actor_params(first.agent), mod.actor_params(second.agent),
                            reference_state(first.env, first.backend), pair_key(first, second)), replicated)
    label = f"{first.env} {first.algo} seed {second.seed} step {second.step} -> seed {first.seed} step {first.step}"
    progress = purd.progress_logger(log, label, "rollouts", settings.episode_length)
    out = purd.run_chunks(program, fixed, items, settings.batch_size, sharded, progress)
    return pl.DataFrame({"point": np.repeat(np.arange(points), len(sample_ids)), "alpha": items[:, 0].astype(np.float64),
                         "sample": np.tile(sample_ids, points), "return": out["return"].astype(np.float64),
                         "length": out["length"]})


def point_means(table: pl.DataFrame) -> pl.DataFrame:
    """Mean and std (ddof 1) of the return at each point of a path table."""
    return table.group_by("point", maintain_order=True).agg(
        pl.col("alpha").first(), pl.col("return").mean().alias("mean"), pl.col("return").std().alias("std"))


def below_threshold_proportion(means: np.ndarray, fraction: float = 0.1) -> float:
    """BTP of one pair (SPEC): the share of interior points whose mean return is below
    fraction x the smaller of the two endpoints' means."""
    means = np.asarray(means, dtype=np.float64)
    threshold = fraction * min(means[0], means[-1])
    return float(np.mean(means[1:-1] < threshold))
