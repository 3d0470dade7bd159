"""Brax environments: construction, the reference start state s_I, auto-resetting steps."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
from brax import envs as brax_envs
from brax.envs.base import Env, State
from flax import struct

from workflow_lib.envs.probe import ProbeEnv

BRAX_ENVS = ("ant", "halfcheetah", "hopper", "walker2d")
# "probe" is a one-step task with a known optimal policy, for tests (see probe.py).
ENV_NAMES = BRAX_ENVS + ("probe",)


def make_env(name: str, backend: str, reset_noise_scale: float | None = None) -> Env:
    """The raw env (no wrappers); reset_noise_scale=None keeps the env's own reset noise."""
    kwargs = {} if reset_noise_scale is None else {"reset_noise_scale": reset_noise_scale}
    if name == "probe":
        return ProbeEnv(**kwargs)
    if name not in BRAX_ENVS:
        raise ValueError(f"unknown env {name!r}; expected one of {ENV_NAMES}")
    return brax_envs.get_environment(name, backend=backend, **kwargs)


@functools.lru_cache(maxsize=8)
def reference_state(name: str, backend: str) -> State:
    """s_I: the reset with the noise scale set to 0, identical for every evaluation (SPEC)."""
    env = make_env(name, backend, reset_noise_scale=0.0)
    return jax.jit(env.reset)(jax.random.key(0))


@struct.dataclass
class EnvCarry:
    """One training env: its brax state plus episode bookkeeping for auto-reset and logging."""

    state: State
    t: jax.Array  # steps taken in the current episode
    episode_return: jax.Array  # return so far in the current episode
    last_return: jax.Array  # return of the last finished episode (nan before the first)


@struct.dataclass
class Transition:
    """What the replay buffer and PPO rollouts store; terminal is the TD done mask."""

    obs: jax.Array
    action: jax.Array
    reward: jax.Array
    next_obs: jax.Array
    terminal: jax.Array  # 1.0 when the episode ended by termination (no bootstrap)
    truncated: jax.Array  # 1.0 when it ended by the time limit (bootstrap from next_obs)


def env_carry_init(env: Env, key: jax.Array) -> EnvCarry:
    """A freshly reset training env."""
    zero = jnp.zeros((), jnp.float32)
    return EnvCarry(env.reset(key), jnp.zeros((), jnp.int32), zero, jnp.full((), jnp.nan))


def env_step(
    env: Env, carry: EnvCarry, action: jax.Array, reset_state: State, max_steps: int
) -> tuple[EnvCarry, Transition]:
    """Step once; an ended episode (termination or max_steps) continues from reset_state.

    The transition keeps the true next observation, so truncated episodes bootstrap correctly.
    """
    nxt = env.step(carry.state, action)
    t = carry.t + 1
    terminal = nxt.done.astype(jnp.float32)
    truncated = jnp.where(t >= max_steps, 1.0 - terminal, 0.0)
    ended = (terminal + truncated) > 0
    ep_ret = carry.episode_return + nxt.reward
    trans = Transition(carry.state.obs, action, nxt.reward, nxt.obs, terminal, truncated)
    state = jax.tree.map(lambda r, n: jnp.where(ended, r, n), reset_state, nxt)
    new = EnvCarry(
        state=state,
        t=jnp.where(ended, 0, t),
        episode_return=jnp.where(ended, 0.0, ep_ret),
        last_return=jnp.where(ended, ep_ret, carry.last_return),
    )
    return new, trans
