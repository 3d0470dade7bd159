"""Jitted training chunks: a carry of explicit state advanced by lax.scan over env steps."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
from brax.envs.base import Env
from flax import struct

from workflow_lib.algorithms import Algorithm
from workflow_lib.envs import EnvCarry, env_carry_init, env_step
from workflow_lib.replay import ReplayBuffer, buffer_add, buffer_init, buffer_sample


@struct.dataclass
class OffPolicyCarry:
    """One TD3/SAC seed: agent, env, replay buffer (capacity = total steps), key, step count."""

    agent: Any
    env: EnvCarry
    buffer: ReplayBuffer
    key: jax.Array
    steps: jax.Array


@struct.dataclass
class PPOCarry:
    """One PPO seed: agent, its num_envs envs (states and last observations), key, step count."""

    agent: Any
    envs: EnvCarry
    key: jax.Array
    steps: jax.Array


def carry_init(algo: Algorithm, env: Env, hp, key: jax.Array, capacity: int):
    """The carry at step 0 for one seed."""
    k_agent, k_env, key = jax.random.split(key, 3)
    agent = algo.module.init(k_agent, env.observation_size, env.action_size, hp)
    steps = jnp.zeros((), jnp.int32)
    if algo.off_policy:
        buffer = buffer_init(capacity, env.observation_size, env.action_size)
        return OffPolicyCarry(agent, env_carry_init(env, k_env), buffer, key, steps)
    envs = jax.vmap(lambda k: env_carry_init(env, k))(jax.random.split(k_env, hp.num_envs))
    return PPOCarry(agent, envs, key, steps)


def offpolicy_chunk(algo: Algorithm, env: Env, carry: OffPolicyCarry, n_steps: int, learn: bool, max_steps: int):
    """n_steps env steps, each followed by one update when `learn` (else uniform warm-up actions).

    Steps are grouped in cycles of policy_delay so that TD3's delayed actor step is a static
    choice, not a cond that vmap over seeds would turn into always computing the actor step.
    """
    delay = carry.agent.config.policy_delay if learn else 1

    def one_step(c: OffPolicyCarry, actor_step: bool):
        key, k_act, k_reset, k_batch, k_update = jax.random.split(c.key, 5)
        obs = c.env.state.obs
        if learn:
            action = algo.module.explore(c.agent, obs, k_act)
        else:
            action = jax.random.uniform(k_act, (env.action_size,), minval=-1.0, maxval=1.0)
        env_c, trans = env_step(env, c.env, action, env.reset(k_reset), max_steps)
        buffer = buffer_add(c.buffer, trans)
        agent, metrics = c.agent, {}
        if learn:
            batch = buffer_sample(buffer, k_batch, agent.config.batch_size)
            agent, metrics = algo.module.update(agent, batch, k_update, actor_step=actor_step)
        return c.replace(agent=agent, env=env_c, buffer=buffer, key=key, steps=c.steps + 1), metrics

    def cycle(c, _):
        metrics = {}
        for i in range(delay):
            c, m = one_step(c, actor_step=(i == delay - 1))
            metrics.update({k: v for k, v in m.items() if not (k == "actor_loss" and i != delay - 1)})
        return c, metrics

    carry, metrics = jax.lax.scan(cycle, carry, None, length=n_steps // delay)
    return carry, jax.tree.map(jnp.mean, metrics)


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
    return carry, jax.tree.map(jnp.mean, metrics)


def recent_return(carry) -> jax.Array:
    """Mean return of the last finished training episode(s), nan if none finished yet."""
    env = carry.env if isinstance(carry, OffPolicyCarry) else carry.envs
    return jnp.nanmean(env.last_return)
