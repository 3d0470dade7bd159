"""PPO on Atari games stepped from the host (the paper's A.6; CleanRL's ppo_atari loop): each
seed of a job plays num_envs copies of the game in training mode; an iteration collects
unroll_length steps of every copy (engine.atari_unroll: one jitted call per step for all seeds'
actions) and then runs one jitted update per seed (num_epochs x num_minibatches over the
unroll). The agents, keys and updates stay on the device; the frames cross once per step.

A checkpoint holds the agent (networks and optimizer state), the key and the step count: the PPO
update of a PURD collects a fresh unroll from freshly reset copies (README: a decision), so no
game state is kept. Nor is one in a snapshot: ALE states are not saved, so a killed Atari job
reruns from its start (`resumable` is False).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from workflow_lib.agents.registry import Algorithm
from workflow_lib.core.trees import over_seeds, strong_types
from workflow_lib.engine.atari_unroll import act_program, as_rollouts, collect
from workflow_lib.envs.gym_frames import frame_copies
from workflow_lib.envs.host import copy_seed


@struct.dataclass
class HostPPOCarry:
    """One seed's device state: agent, key, step count (its games live on the host)."""

    agent: Any
    key: jax.Array
    steps: jax.Array


def atari_ppo_carry_init(algo: Algorithm, obs_shape, action_size: int, hp, key: jax.Array) -> HostPPOCarry:
    """The carry at step 0 for one seed (the key split as loops.carry_init splits it)."""
    k_agent, _, key = jax.random.split(key, 3)
    agent = algo.module.init(k_agent, tuple(obs_shape), action_size, hp)
    return strong_types(HostPPOCarry(agent, key, jnp.zeros((), jnp.int32)))


@functools.lru_cache(maxsize=8)
def update_program(algo: Algorithm):
    """jit(carry, rollouts) -> (carry, metrics): one PPO update per seed on its unroll."""

    def per_seed(agent, key, rollout):
        key, k_update = jax.random.split(key)
        agent, metrics = algo.module.update(agent, rollout, k_update)
        return agent, key, metrics

    def advance(carry: HostPPOCarry, rollouts, steps: int):
        agent, key, metrics = over_seeds(per_seed)(carry.agent, carry.key, rollouts)
        return strong_types(HostPPOCarry(agent, key, carry.steps + steps)), metrics

    return jax.jit(advance, static_argnums=2, donate_argnums=0)


class HostPPOTraining:
    """The host side of an Atari PPO job: num_envs copies of the game per seed, each reset from
    its own stream (env, learner, seed, copy), and their current frames."""

    resumable = False  # game states (ALE or a gym env of frames) are not snapshotted: a killed job reruns

    def __init__(self, env: str, algo: Algorithm, seeds: tuple[int, ...], hp):
        self.algo, self.hp, self.groups = algo, hp, len(seeds)
        self.envs = frame_copies(env, len(seeds) * hp.num_envs, training=True)
        self.obs = self.envs.reset([copy_seed(env, algo.name, s, e) for s in seeds for e in range(hp.num_envs)])
        self.last_return = np.full(len(seeds), np.nan)
        self.metrics: dict = {}

    def advance(self, carry: HostPPOCarry, start: int, end: int, learn: bool, next_learn: bool,
                delay: int) -> HostPPOCarry:
        """Iterations from env step start to end of every seed (steps count every copy's steps)."""
        del learn, next_learn, delay  # PPO learns from its first iteration
        hp, act = self.hp, act_program(self.algo.module, False)
        per_iteration = hp.num_envs * hp.unroll_length
        for _ in range((end - start) // per_iteration):
            unroll, self.obs, keys = collect(self.envs, self.obs, act, carry.agent, carry.key, hp.unroll_length,
                                             self.groups)
            carry = carry.replace(key=keys)
            rollouts = as_rollouts(self.algo.module, unroll)
            carry, self.metrics = update_program(self.algo)(carry, rollouts, per_iteration)
            for g, scores in enumerate(unroll.finished):
                if scores:
                    self.last_return[g] = scores[-1]
        return carry

    def recent_return(self) -> np.ndarray:
        return self.last_return
