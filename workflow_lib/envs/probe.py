"""A one-step probe task with a known optimal policy, for tests of the learners."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from brax.envs.base import Env, State

OBS_SIZE = 2


class ProbeEnv(Env):
    """obs ~ U[-s, s]^2, reward = -|a - obs/2|^2, every episode ends after one step.

    The optimal deterministic action is obs/2 with return 0; a learner that works gets close.
    """

    def __init__(self, reset_noise_scale: float = 1.0):
        self._scale = reset_noise_scale

    def reset(self, rng: jax.Array) -> State:
        obs = jax.random.uniform(rng, (OBS_SIZE,), minval=-self._scale, maxval=self._scale)
        zero = jnp.zeros(())
        return State(pipeline_state=None, obs=obs, reward=zero, done=zero)

    def step(self, state: State, action: jax.Array) -> State:
        reward = -jnp.sum(jnp.square(action - 0.5 * state.obs))
        return state.replace(reward=reward, done=jnp.ones(()))

    @property
    def observation_size(self) -> int:
        return OBS_SIZE

    @property
    def action_size(self) -> int:
        return OBS_SIZE

    @property
    def backend(self) -> str:
        return "none"
