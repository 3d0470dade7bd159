"""Deterministic evaluation from the reference state s_I (SPEC, "Evaluation of each updated policy")."""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any, Callable

import jax
import jax.numpy as jnp
from brax.envs.base import Env, State


def rollout_return(
    env: Env,
    policy: Callable[[Any, jax.Array], jax.Array],
    agent: Any,
    start: State,
    length: int,
    with_rewards: bool = False,
    with_states: bool = False,
) -> dict[str, jax.Array]:
    """Return (summed until the first termination, that step included) and episode length.

    `policy(agent, obs)` is an algorithm's deterministic policy; vmap this over agents to
    evaluate many parameter vectors at once. On request, per-step rewards (zero after termination)
    and the generalized coordinates q after each step (what rendering a gait needs).
    """

    def step(carry, _):
        state, alive = carry
        nxt = env.step(state, jnp.clip(policy(agent, state.obs), -1.0, 1.0))
        reward = jnp.where(alive, nxt.reward, 0.0)
        q = nxt.pipeline_state.q if with_states else ()
        return (nxt, alive & (nxt.done == 0)), (reward, alive, q)

    _, (rewards, alive, q) = jax.lax.scan(step, (start, jnp.bool_(True)), None, length=length)
    out = {"return": rewards.sum(), "length": alive.sum().astype(jnp.int32)}
    if with_rewards:
        out["rewards"] = rewards
    if with_states:
        out["q"] = q
    return out


def rollout_until_done(env: Env, policy: Callable[[Any, jax.Array], jax.Array], agent: Any, start: State,
                       length: int, with_rewards: bool = False) -> dict[str, jax.Array]:
    """rollout_return's return, length (and rewards) with a loop that stops at termination.

    Vmapped, the loop runs while any copy is alive, so a batch stops when its last copy falls
    instead of stepping all `length` steps (laptop-scale hopper policies fall after a few hundred).
    The rewards go into a zero buffer of `length` steps that is summed as rollout_return sums its
    masked rewards, so the returns are the same to the bit.
    """

    def alive_and_in_time(carry):
        t, _, alive, _ = carry
        return alive & (t < length)

    def step(carry):
        t, state, _, rewards = carry
        nxt = env.step(state, jnp.clip(policy(agent, state.obs), -1.0, 1.0))
        rewards = jax.lax.dynamic_update_index_in_dim(rewards, nxt.reward, t, 0)
        return t + 1, nxt, nxt.done == 0, rewards

    init = (jnp.int32(0), start, jnp.bool_(True), jnp.zeros((length,), jnp.float32))
    t, _, _, rewards = jax.lax.while_loop(alive_and_in_time, step, init)
    out = {"return": rewards.sum(), "length": t}
    if with_rewards:
        out["rewards"] = rewards
    return out


@dataclasses.dataclass(frozen=True)
class RolloutSettings:
    """How the engine rolls policies out: chunk size (memory bound), episode length, and what
    each rollout records besides its return and length."""

    batch_size: int = 50
    episode_length: int = 1000
    with_rewards: bool = False
    with_states: bool = False  # per-step q of each rollout (for rendering a few chosen samples)


def batched_rollouts(env: Env, learner: ModuleType, agent: Any, params: Any, start: State,
                     settings: RolloutSettings) -> dict[str, jax.Array]:
    """Deterministic returns of many policies (actor params with a leading axis) from `start`:
    the learner's deterministic policy of the agent with each row's actor params in turn."""
    from_params, act = learner.with_actor_params, learner.policy
    if settings.with_states:  # every step's coordinates, after termination too: the fixed-length scan
        one = lambda p: rollout_return(env, act, from_params(agent, p), start, settings.episode_length,  # noqa: E731
                                       settings.with_rewards, True)
    else:
        one = lambda p: rollout_until_done(env, act, from_params(agent, p), start,  # noqa: E731
                                           settings.episode_length, settings.with_rewards)
    return jax.vmap(one)(params)
