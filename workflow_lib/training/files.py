"""Loading what training wrote: agent checkpoints, replay buffers and archives of env states,
restored into the carry's shapes (computed, never stored)."""

from __future__ import annotations

import os
from typing import Any

import jax

from workflow_lib.agents.registry import ALGORITHMS, Algorithm
from workflow_lib.core import checkpoint
from workflow_lib.envs.host import env_sizes, host_family
from workflow_lib.envs.native import make_env
from workflow_lib.training.host_loop import HostCarry, host_carry_init
from workflow_lib.training.atari_loop import HostPPOCarry, atari_ppo_carry_init
from workflow_lib.training.loops import OffPolicyCarry, carry_init


def checkpoint_state(carry) -> dict:
    """What a checkpoint holds: the carry of one seed, the buffer reduced to its insertion point
    (a host-stepped run's env is not in it: one more TD3/SAC update needs no simulator state)."""
    if isinstance(carry, HostCarry):
        return {"agent": carry.agent, "key": carry.key, "steps": carry.steps, "buffer_size": carry.buffer.size}
    if isinstance(carry, HostPPOCarry):  # an Atari run: its PURD update collects a fresh unroll
        return {"agent": carry.agent, "key": carry.key, "steps": carry.steps}
    if isinstance(carry, OffPolicyCarry):
        return {"agent": carry.agent, "env": carry.env, "key": carry.key, "steps": carry.steps,
                "buffer_size": carry.buffer.size}
    return {"agent": carry.agent, "envs": carry.envs, "key": carry.key, "steps": carry.steps}


def carry_initializer(algo: Algorithm, env: str, backend: str, hp, capacity: int, state_every: int = 0):
    """key -> one seed's carry at step 0 of a run on `env`: the host loop's for a host-stepped
    task (the family is in the env's name, and in a checkpoint's meta["family"]), the jitted
    loops' for a Brax env."""
    if host_family(env) is not None:
        sizes = env_sizes(env)
        if not algo.off_policy:  # an Atari game's PPO
            return lambda key: atari_ppo_carry_init(algo, *sizes, hp, key)
        return lambda key: host_carry_init(algo, *sizes, hp, key, capacity)
    brax_env = make_env(env, backend)
    return lambda key: carry_init(algo, brax_env, hp, key, capacity, state_every)


def template(meta: dict, capacity: int = 1, n_seeds: int | None = None):
    """The carry's shapes for a run described by checkpoint metadata (nothing is computed)."""
    algo = ALGORITHMS[meta["algo"]]
    hp = algo.make_config(meta["hyperparameters"])
    init = carry_initializer(algo, meta["env"], meta["backend"], hp, capacity, meta.get("state_every", 0))
    if n_seeds is None:
        return jax.eval_shape(init, jax.random.key(0))
    return jax.eval_shape(jax.vmap(init), jax.random.split(jax.random.key(0), n_seeds))


def load_checkpoint(path: str | os.PathLike) -> tuple[dict, dict]:
    """(meta, state) of an agent checkpoint; state as in `checkpoint_state`."""
    return checkpoint.load(path, "agent", lambda meta: checkpoint_state(template(meta)))


def load_replay(path: str | os.PathLike) -> tuple[dict, Any]:
    """(meta, buffer) of a seed's replay file: every transition stored in training order."""
    return checkpoint.load(path, "replay", lambda meta: template(meta, capacity=meta["capacity"]).buffer)


def load_states(path: str | os.PathLike) -> tuple[dict, Any]:
    """(meta, states) of a seed's archive: brax States stacked on a leading axis, the k-th the
    state that transition meta["collection_times"][k] of the replay file was taken from."""

    def shapes(meta):
        one = jax.eval_shape(make_env(meta["env"], meta["backend"]).reset, jax.random.key(0))
        n = len(meta["collection_times"])
        return jax.tree.map(lambda x: jax.ShapeDtypeStruct((n, *x.shape), x.dtype), one)

    return checkpoint.load(path, "states", shapes)
