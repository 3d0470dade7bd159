"""A training env's carry (state plus episode bookkeeping), the transitions it yields, and the
auto-resetting step that training and PPO's post-update collection share."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from brax.envs.base import Env, State
from flax import struct


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
