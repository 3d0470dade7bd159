"""A policy as the studies take it: a checkpoint's agent with what its own update reads, its
identity, and the keys of its studies."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from typing import Any

import jax
import jax.numpy as jnp

from workflow_lib.agents import replay
from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.core.checkpoint import CheckpointError
from workflow_lib.core.keys import seed_key
from workflow_lib.envs.carry import EnvCarry
from workflow_lib.training.files import carry_initializer, load_checkpoint, load_replay


@dataclasses.dataclass(frozen=True)
class Policy:
    """A checkpoint as the sampler needs it: the agent and what its own update reads."""

    env: str
    backend: str
    algo: str
    seed: int
    step: int
    agent: Any
    buffer: replay.ReplayBuffer | None = None  # off-policy: the stored data, size = the checkpoint's prefix
    envs: EnvCarry | None = None  # PPO on Brax: the training envs at the checkpoint
    max_steps: int = 1000  # training's episode length (PPO's truncation during collection)


def load_policy(checkpoint_path: str | os.PathLike, replay_path: str | os.PathLike | None = None) -> Policy:
    """A Policy from a checkpoint file and, for TD3/SAC, the seed's replay file."""
    meta, state = load_checkpoint(checkpoint_path)
    buffer = envs = None
    if ALGORITHMS[meta["algo"]].off_policy:
        if replay_path is None:
            raise ValueError(f"{checkpoint_path}: an off-policy checkpoint needs its replay file")
        replay_meta, data = load_replay(replay_path)
        check_same_run(checkpoint_path, meta, replay_path, replay_meta)
        if int(state["buffer_size"]) > replay_meta["capacity"]:
            raise CheckpointError(f"{checkpoint_path}: its buffer holds {int(state['buffer_size'])} transitions, but "
                                  f"{replay_path} stores {replay_meta['capacity']}")
        buffer = replay.ReplayBuffer(data.data, jnp.asarray(state["buffer_size"]))
    else:
        envs = state.get("envs")  # None for an Atari run: its update collects a fresh unroll
    return Policy(meta["env"], meta["backend"], meta["algo"], meta["seed"], meta["step"], state["agent"],
                  buffer, envs, meta.get("episode_length", 1000))


RUN_FIELDS = ("env", "backend", "algo", "seed", "hyperparameters")


def check_same_run(checkpoint_path, meta: dict, replay_path, replay_meta: dict) -> None:
    """A checkpoint and a replay file of one run (env, backend, algo, seed, hyperparameters), or an
    error naming the replay file and the first field that differs."""
    for field in RUN_FIELDS:
        if meta.get(field) != replay_meta.get(field):
            shown = "differ" if field == "hyperparameters" else f"{replay_meta.get(field)!r}, not {meta.get(field)!r}"
            raise CheckpointError(f"{replay_path}: a replay file of another run than {checkpoint_path} ({field}: {shown})")


def synthetic_policy(env: str, backend: str, algo: str, hyperparameters: dict, steps: int,
                     max_steps: int = 1000) -> Policy:
    """A fresh agent as a checkpoint at `steps` would hold it, TD3/SAC with `steps` random
    transitions in the buffer, PPO with fresh envs. For tests and benchmarks: the mechanics and
    the cost of sampling do not depend on trained weights (rollouts always run every step)."""
    algorithm = ALGORITHMS[algo]
    hp = algorithm.make_config(hyperparameters)
    carry = carry_initializer(algorithm, env, backend, hp, steps)(jax.random.key(1))
    if not algorithm.off_policy:
        return Policy(env, backend, algo, 0, steps, carry.agent, envs=getattr(carry, "envs", None), max_steps=max_steps)
    keys = iter(jax.random.split(jax.random.key(2), 8))
    data = jax.tree.map(lambda x: jax.random.normal(next(keys), x.shape), carry.buffer.data)
    data = data.replace(action=jnp.tanh(data.action), terminal=jnp.zeros(steps), truncated=jnp.zeros(steps))
    buffer = replay.ReplayBuffer(data, jnp.asarray(steps, jnp.int32))
    return Policy(env, backend, algo, 0, steps, carry.agent, buffer=buffer, max_steps=max_steps)


def root_key(env: str, algo: str, seed: int, step: int, kind: str) -> jax.Array:
    """The key of one policy's PURD; sample i uses fold_in(root, i), so the first n samples
    are the same whatever N is."""
    salt = int.from_bytes(hashlib.sha256(f"purd/{kind}".encode()).digest()[:4], "little")
    return jax.random.fold_in(jax.random.fold_in(seed_key(env, algo, seed), salt), step)


def update_data(policy: Policy):
    """What the policy's own post_update reads: its replay buffer (off-policy) or training envs."""
    return policy.buffer if ALGORITHMS[policy.algo].off_policy else policy.envs
