"""Post-update return distributions (Def. 3.1): N independent updates of a checkpoint, each
updated deterministic policy rolled out from s_I (docs/protocol.md, "One update").

The updates are the learners' own `post_update` (the training code's functions, never a copy)
or a Gaussian perturbation. Sampling is the rollout engine's `evaluate` with the PostUpdate
recipe: a chunk's updates vmapped over per-sample keys inside the compiled program, then its
rollouts; the host only loops over chunks, so memory is bounded by the chunk size.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from typing import Iterable, Iterator

import jax
import numpy as np
import polars as pl
from brax.envs.base import State

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.engine.chunks import largest_divisor
from workflow_lib.engine.families import family_of
from workflow_lib.engine.atari_unroll import HostUnrollUpdate
from workflow_lib.engine.program import Target, evaluate, place
from workflow_lib.engine.rollout import RolloutSettings
from workflow_lib.studies.policy import (  # noqa: F401  (where studies take the PURD's inputs from)
    Policy, load_policy, root_key, synthetic_policy, update_data,
)

GAUSSIAN = "gaussian"


def update_kinds() -> tuple[str, ...]:
    """The kinds of one update: every registered learner's own, and the Gaussian perturbation."""
    return (*ALGORITHMS, GAUSSIAN)


@dataclasses.dataclass(frozen=True)
class Settings:
    """How a PURD is sampled; every field is a config value (purd section)."""

    n: int = 1000
    batch_size: int = 50  # samples per jitted chunk: bounds memory
    update_batch: int = 0  # updates computed at once inside a chunk (0: the whole chunk)
    sigma: float = 3e-4  # the Gaussian update's scale
    episode_length: int = 1000
    with_rewards: bool = False
    with_states: bool = False  # per-step q of each rollout (for rendering a few chosen samples)
    # The learner's own update's settings (its purd_* config keys, fields of its config class):
    # {"purd_max_grad_norm": 0.1} for PPO, ppo_atari's purd_update, purd_adam, purd_max_grad_norm.
    update_options: dict = dataclasses.field(default_factory=dict)
    atari_return: str = "clipped_horizon"  # RolloutSettings.atari_return

    def rollout(self) -> RolloutSettings:
        return RolloutSettings(self.batch_size, self.episode_length, self.with_rewards, self.with_states,
                               self.atari_return)


def check_kind(algo: str, kind: str) -> None:
    if kind not in update_kinds():
        raise ValueError(f"unknown update kind {kind!r}; expected one of {update_kinds()}")
    if kind not in (algo, GAUSSIAN):
        raise ValueError(f"a {algo} checkpoint takes its own update ({algo}) or gaussian, not {kind}")


def perturb(params, key: jax.Array, sigma: float):
    """params + N(0, sigma^2 I), independent per parameter (docs/protocol.md, "One update")."""
    leaves, tree = jax.tree.flatten(params)
    keys = jax.random.split(key, len(leaves))
    return jax.tree.unflatten(tree, [x + sigma * jax.random.normal(k, x.shape, x.dtype) for x, k in zip(leaves, keys)])


@dataclasses.dataclass(frozen=True)
class PostUpdate:
    """The engine recipe of a PURD: item i is the actor after the update drawn with key
    fold_in(root, i); fixed = (the update's data, root). `kind` is the learner's own update or
    gaussian; update_batch bounds the updates computed at once (PPO's each collect an unroll)."""

    env: str
    backend: str
    kind: str
    sigma: float
    update_batch: int
    max_steps: int  # training's episode length (PPO's truncation during collection)

    def one(self, learner, agent, data, key):
        """The actor parameters after one update of this kind."""
        if self.kind == GAUSSIAN:
            return perturb(learner.actor_params(agent), key, self.sigma)
        env = family_of(self.env).make(self.env, self.backend)
        return learner.post_update(agent, data, key, env, self.max_steps)

    def __call__(self, learner, agent, fixed, indices, n_devices):
        data, root = fixed
        b = indices.shape[0]
        keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(indices)
        one = lambda k: self.one(learner, agent, data, k)  # noqa: E731
        parallel = n_devices * largest_divisor(b // n_devices, self.update_batch or b)
        if parallel < b:
            # At most update_batch updates at once per device: a vmap over `parallel` rows of a
            # sequential map, rows contiguous so that the sharding holds.
            grid = jax.vmap(lambda ks: jax.lax.map(one, ks))(keys.reshape(parallel, b // parallel))
            return jax.tree.map(lambda x: x.reshape(b, *x.shape[2:]), grid)
        return jax.vmap(one)(keys)


def own_update_policy(policy: Policy, kind: str, settings: Settings) -> Policy:
    """The policy as an update of `kind` sees it: with settings.update_options where the kind is
    its learner's own update (a Gaussian perturbation has none)."""
    return with_update_options(policy, settings.update_options) if kind == policy.algo else policy


def with_update_options(policy: Policy, options: dict) -> Policy:
    """The policy whose agent takes its own update with `options` (fields of the learner's
    config class: ppo's purd_max_grad_norm, ...). The agent's config is a static field, so the
    compiled programs follow it. An option the learner does not have is an error, not ignored."""
    if not options:
        return policy
    config = policy.agent.config
    unknown = sorted(set(options) - {f.name for f in dataclasses.fields(config)})
    if unknown:
        raise ValueError(f"{policy.algo}'s update has no setting {', '.join(unknown)}")
    return dataclasses.replace(policy, agent=policy.agent.replace(config=dataclasses.replace(config, **options)))


def recipe(policy: Policy, kind: str, settings: Settings) -> tuple[Target, PostUpdate, RolloutSettings]:
    """The engine's (target, recipe, settings) for sampling `policy` under `kind` of update."""
    check_kind(policy.algo, kind)
    if kind == policy.algo and ALGORITHMS[kind].pixels:  # an Atari game's PPO: unrolls stepped on the host
        post = HostUnrollUpdate(policy.env, settings.update_batch)
    else:
        post = PostUpdate(policy.env, policy.backend, kind, settings.sigma if kind == GAUSSIAN else 0.0,
                          settings.update_batch, policy.max_steps)
    return Target(policy.env, policy.backend, policy.algo), post, settings.rollout()


def one_update(policy: Policy, kind: str, settings: Settings):
    """key -> the policy's actor parameters after the update of `kind` drawn with that key (what
    PURD sample i computes with key fold_in(root, i))."""
    policy = own_update_policy(policy, kind, settings)
    _, post, _ = recipe(policy, kind, settings)
    if isinstance(post, HostUnrollUpdate):
        raise ValueError(f"{policy.algo}'s update collects its unroll on the host: sample it with purd.sample")
    learner, data = ALGORITHMS[policy.algo].module, update_data(policy)
    return lambda key: post.one(learner, policy.agent, data, key)


def placed(policy: Policy, kind: str, settings: Settings) -> Policy:
    """The policy with what every chunk reads (agent, buffer, PPO envs) already on the devices, so
    that sampling it again (from other start states, with other roots) transfers nothing. A
    replay buffer of 1M transitions is hundreds of MB."""
    moved = place(*recipe(policy, kind, settings), {"agent": policy.agent, "buffer": policy.buffer, "envs": policy.envs})
    return dataclasses.replace(policy, **moved)


def sample(policy: Policy, kind: str, settings: Settings, log: logging.Logger | None = None,
           indices: np.ndarray | None = None, root: jax.Array | None = None,
           start: State | None = None) -> dict[str, np.ndarray]:
    """The PURD of one policy: per sample its index, return, episode length (and rewards, states).

    Chunks are aligned on multiples of batch_size (sample i sits at position i % batch_size), so
    sample i is computed by the same program at the same position whatever N is: results are
    bitwise reproducible and the first n samples do not change when N grows. `indices` recomputes
    chosen samples only (they are not aligned, so equal up to float rounding). `root` replaces the
    checkpoint's own key, for policies that are not checkpoints (Algorithm 1's candidates).
    `start` replaces s_I (Figure 10's stored training states); it is an argument of the compiled
    program, so every start state reuses it.
    """
    policy = own_update_policy(policy, kind, settings)
    target, post, rollout = recipe(policy, kind, settings)
    if root is None:
        root = root_key(policy.env, policy.algo, policy.seed, policy.step, kind)
    b = settings.batch_size
    if indices is None:
        indices = np.arange(settings.n)
        items = np.arange(math.ceil(settings.n / b) * b, dtype=np.uint32)  # whole chunks: no padding
    else:
        items = np.asarray(indices, dtype=np.uint32)
    label = f"{policy.env} {policy.algo} seed {policy.seed} step {policy.step} ({kind})"
    result = evaluate(target, post, policy.agent, (update_data(policy), root), items, rollout, start, log, label,
                      "samples", total=len(indices))
    return {"sample": np.asarray(indices), **{k: v[: len(indices)] for k, v in result.items()}}


def sample_policies(policies: Iterable[Policy], kind: str, settings: dict,
                    log: logging.Logger | None = None) -> Iterator[tuple[pl.DataFrame, dict]]:
    """The PURD of each policy under `kind` of update, as (table, Parquet metadata), one policy
    at a time (`policies` may load them lazily). The checkpoints of a run share every compiled
    program: one job samples them all. `settings` are Settings' fields, recorded in the metadata."""
    for policy in policies:
        samples = sample(policy, kind, Settings(**settings), log)
        if log is not None:
            log.info("%s step %d done: mean return %.1f over %d samples", policy.algo, policy.step,
                     samples["return"].mean(), len(samples["return"]))
        meta = {"env": policy.env, "algo": policy.algo, "seed": policy.seed, "step": policy.step, "update": kind,
                **settings}
        yield to_table(samples), meta


def to_table(samples: dict[str, np.ndarray]) -> pl.DataFrame:
    """The Parquet layout of a PURD file: sample, return, length (and per-step rewards)."""
    columns = {
        "sample": pl.Series(samples["sample"], dtype=pl.Int64),
        "return": pl.Series(samples["return"].astype(np.float64)),
        "length": pl.Series(samples["length"], dtype=pl.Int32),
    }
    if "rewards" in samples:
        columns["rewards"] = pl.Series(list(samples["rewards"]), dtype=pl.List(pl.Float32))
    return pl.DataFrame(columns)
