"""Interpolation between two policies (Sec. 4.1, A.3; docs/protocol.md, "Interpolation").

theta(a) = a theta1 + (1 - a) theta2 at P points, both ends included, each point optionally
perturbed by S Gaussian samples (sigma 3e-4) whose keys are the same at every point of a pair
(common random numbers: the path's variation is the landscape's, not the noise's). All (point,
sample) items of a pair go through one jitted program per chunk: parameters built in the program,
rolled out by the rollout engine (engine/program.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from typing import Callable

import jax
import numpy as np
import polars as pl

from workflow_lib.analysis import selection
from workflow_lib.core.tables import with_identity
from workflow_lib.studies import purd
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine.program import Target, evaluate
from workflow_lib.engine.rollout import RolloutSettings


def alphas(points: int) -> np.ndarray:
    """The P interpolation coefficients, from 0 (theta2) to 1 (theta1)."""
    return np.linspace(0.0, 1.0, points, dtype=np.float32)


def pair_key(first: purd.Policy, second: purd.Policy) -> jax.Array:
    """The perturbation key of a pair, from both policies' identities."""
    name = f"interpolation/{first.seed}/{first.step}/{second.seed}/{second.step}"
    salt = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
    return jax.random.fold_in(purd.root_key(first.env, first.algo, 0, 0, "interpolation"), salt)


@dataclasses.dataclass(frozen=True)
class PerturbedPath:
    """The engine recipe of a path: item (alpha, sample) is alpha theta1 + (1 - alpha) theta2,
    perturbed by sample's Gaussian noise of scale sigma (sample -1: unperturbed); fixed =
    (theta1, theta2, root)."""

    sigma: float

    def __call__(self, learner, agent, fixed, items, n_devices):
        theta1, theta2, root = fixed

        def params(item):
            a, s = item[0], item[1]
            theta = jax.tree.map(lambda x, y: a * x + (1.0 - a) * y, theta1, theta2)
            noisy = purd.perturb(theta, jax.random.fold_in(root, s.astype(np.uint32)), self.sigma)
            return jax.tree.map(lambda n, t: jax.numpy.where(s >= 0, n, t), noisy, theta)

        return jax.vmap(params)(items)


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
    mod = ALGORITHMS[first.algo].module
    fixed = (mod.actor_params(first.agent), mod.actor_params(second.agent), pair_key(first, second))
    label = f"{first.env} {first.algo} seed {second.seed} step {second.step} -> seed {first.seed} step {first.step}"
    out = evaluate(Target(first.env, first.backend, first.algo), PerturbedPath(settings.sigma), first.agent, fixed,
                   items, dataclasses.replace(settings, with_rewards=False, with_states=False).rollout(), log=log,
                   label=label)
    return pl.DataFrame({"point": np.repeat(np.arange(points), len(sample_ids)), "alpha": items[:, 0].astype(np.float64),
                         "sample": np.tile(sample_ids, points), "return": out["return"].astype(np.float64),
                         "length": out["length"]})


def point_means(table: pl.DataFrame) -> pl.DataFrame:
    """Mean and std (ddof 1) of the return at each point of a path table."""
    return table.group_by("point", maintain_order=True).agg(
        pl.col("alpha").first(), pl.col("return").mean().alias("mean"), pl.col("return").std().alias("std"))


def below_threshold_proportion(means: np.ndarray, fraction: float = 0.1) -> float:
    """BTP of one pair (docs/protocol.md): the share of interior points whose mean return is below
    fraction x the smaller of the two endpoints' means."""
    means = np.asarray(means, dtype=np.float64)
    threshold = fraction * min(means[0], means[-1])
    return float(np.mean(means[1:-1] < threshold))


def pair_paths(pairs: pl.DataFrame, load: Callable[[dict], purd.Policy], points: int, samples: int,
               settings: purd.Settings, log: logging.Logger | None = None) -> pl.DataFrame:
    """The paths of Table 2's pairs (rows: run, env, algo, seed1, step1, seed2, step2): one
    deterministic rollout per point (samples 0; Figures 5, 9), or for the same-run pairs the mean
    and std of `samples` perturbed rollouts per point (Figure 8)."""
    if samples:
        pairs = pairs.filter(pl.col("run") == "same")
    parts = []
    for row in pairs.iter_rows(named=True):
        ends = [load({"env": row["env"], "algo": row["algo"], "seed": row[f"seed{n}"], "step": row[f"step{n}"]})
                for n in "12"]
        table = path(*ends, points, samples, settings, log)
        if samples:
            table = point_means(table)
        parts.append(with_identity(table, {k: row[k] for k in ("run", "seed1", "step1", "seed2", "step2")}))
    if log is not None:
        log.info("done: %d paths", len(parts))
    return pl.concat(parts) if parts else pl.DataFrame()


def btp_pairs_seed(env: str, run: str) -> int:
    """The seed of an env's random BTP pairs of one kind of run (the same on every rerun)."""
    return sum(map(ord, f"{env}/{run}"))


def btp_table(env: str, algo: str, policies: pl.DataFrame, load: Callable[[dict], purd.Policy], pairs: int,
              points: int, samples: int, threshold: float, settings: purd.Settings,
              log: logging.Logger | None = None) -> pl.DataFrame:
    """Figure 6: the BTP of `pairs` random pairs of each kind of run (same seed, different seeds)
    among `policies` (seed, step), from the mean of `samples` perturbed rollouts per point."""
    rows = []
    for run in selection.RUNS:
        for pair in selection.random_pairs(policies, run, pairs, seed=btp_pairs_seed(env, run)).iter_rows(named=True):
            ends = [load({"env": env, "algo": algo, "seed": pair[f"seed{n}"], "step": pair[f"step{n}"]}) for n in "12"]
            means = point_means(path(*ends, points, samples, settings))
            btp = below_threshold_proportion(means["mean"].to_numpy(), threshold)
            rows.append({"env": env, "algo": algo, **pair, "btp": btp, "mean1": means["mean"][-1],
                         "mean2": means["mean"][0], "min_mean": means["mean"].min()})
            if log is not None:
                log.info("%s pair seed %d step %d / seed %d step %d: BTP %.3f", run, pair["seed1"], pair["step1"],
                         pair["seed2"], pair["step2"], btp)
    return pl.DataFrame(rows)
