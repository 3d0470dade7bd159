"""Jitted training chunks: a carry of explicit state advanced by lax.scan over env steps."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from brax.envs.base import Env
from flax import struct

from workflow_lib.envs.carry import EnvCarry, env_carry_init, env_step
from workflow_lib.agents.replay import ReplayBuffer, buffer_add_seeds, buffer_init, buffer_sample

from workflow_lib.agents.registry import Algorithm
from workflow_lib.core.trees import over_seeds, strong_types
from workflow_lib.training.archive import StateArchive, archive_add_seeds, archive_init


@struct.dataclass
class OffPolicyCarry:
    """One TD3/SAC seed: agent, env, replay buffer (capacity = total steps), key, step count, and
    the archive of env states (None where none is kept: Algorithm 1, tests)."""

    agent: Any
    env: EnvCarry
    buffer: ReplayBuffer
    key: jax.Array
    steps: jax.Array
    archive: StateArchive | None = None


@struct.dataclass
class PPOCarry:
    """One PPO seed: agent, its num_envs envs (states and last observations), key, step count."""

    agent: Any
    envs: EnvCarry
    key: jax.Array
    steps: jax.Array


def carry_init(algo: Algorithm, env: Env, hp, key: jax.Array, capacity: int, state_every: int = 0):
    """The carry at step 0 for one seed; off-policy, keeping every state_every-th env state."""
    k_agent, k_env, key = jax.random.split(key, 3)
    agent = algo.module.init(k_agent, env.observation_size, env.action_size, hp)
    steps = jnp.zeros((), jnp.int32)
    if algo.off_policy:
        buffer = buffer_init(capacity, env.observation_size, env.action_size)
        env_c = env_carry_init(env, k_env)
        archive = archive_init(env_c.state, capacity, state_every)
        return strong_types(OffPolicyCarry(agent, env_c, buffer, key, steps, archive))
    envs = jax.vmap(lambda k: env_carry_init(env, k))(jax.random.split(k_env, hp.num_envs))
    return strong_types(PPOCarry(agent, envs, key, steps))


def offpolicy_chunk(algo: Algorithm, env: Env, carry: OffPolicyCarry, n_steps: int, learn: bool, max_steps: int):
    """n_steps env steps of every seed (leading axis of `carry`), each followed by one update
    when `learn` (else uniform warm-up actions).

    The per-seed work is vmapped inside the scan, so the buffer write uses one shared index.
    Steps are grouped in cycles of policy_delay so that TD3's delayed actor step is a static
    choice, not a cond that vmap over seeds would turn into always computing the actor step.
    """
    delay = carry.agent.config.policy_delay if learn else 1

    def act(agent, env_c, key):
        key, k_act, k_reset = jax.random.split(key, 3)
        if learn:
            action = algo.module.explore(agent, env_c.state.obs, k_act)
        else:
            action = jax.random.uniform(k_act, (env.action_size,), minval=-1.0, maxval=1.0)
        env_c, trans = env_step(env, env_c, action, env.reset(k_reset), max_steps)
        return env_c, trans, key

    def learn_step(agent, buffer, key, actor_step):
        key, k_batch, k_update = jax.random.split(key, 3)
        batch = buffer_sample(buffer, k_batch, agent.config.batch_size)
        agent, metrics = algo.module.update(agent, batch, k_update, actor_step=actor_step)
        return agent, metrics, key

    def one_step(c: OffPolicyCarry, actor_step: bool):
        archive = archive_add_seeds(c.archive, c.env.state, c.steps[0])
        env_c, trans, key = over_seeds(act)(c.agent, c.env, c.key)
        buffer = buffer_add_seeds(c.buffer, trans, c.steps[0])
        agent, metrics = c.agent, {}
        if learn:
            update = over_seeds(lambda a, b, k: learn_step(a, b, k, actor_step))
            agent, metrics, key = update(agent, buffer, key)
        return c.replace(agent=agent, env=env_c, buffer=buffer, key=key, steps=c.steps + 1, archive=archive), metrics

    def cycle(c, _):
        metrics = {}
        for i in range(delay):
            c, m = one_step(c, actor_step=(i == delay - 1))
            metrics.update({k: v for k, v in m.items() if not (k == "actor_loss" and i != delay - 1)})
        return c, metrics

    carry, metrics = jax.lax.scan(cycle, carry, None, length=n_steps // delay)
    return strong_types(carry), jax.tree.map(lambda m: jnp.mean(m, axis=0), metrics)


def ppo_chunk(algo: Algorithm, env: Env, carry: PPOCarry, n_iterations: int, max_steps: int):
    """n_iterations of PPO: collect one unroll of every env, then one update on it."""
    ppo = algo.module

    def iteration(c: PPOCarry, _):
        key, k_collect, k_update = jax.random.split(c.key, 3)
        envs, rollout = ppo.collect(c.agent, env, c.envs, k_collect, max_steps)
        agent, metrics = ppo.update(c.agent, rollout, k_update)
        n = c.agent.config.num_envs * c.agent.config.unroll_length
        return c.replace(agent=agent, envs=envs, key=key, steps=c.steps + n), metrics

    carry, metrics = jax.lax.scan(iteration, carry, None, length=n_iterations)
    return strong_types(carry), jax.tree.map(jnp.mean, metrics)


def recent_return(carry) -> jax.Array:
    """Mean return of the last finished training episode(s), nan if none finished yet."""
    env = carry.env if isinstance(carry, OffPolicyCarry) else carry.envs
    return jnp.nanmean(env.last_return)
