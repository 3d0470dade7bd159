"""Deterministic evaluation from the reference state s_I (SPEC, "Evaluation of each updated policy")."""

from __future__ import annotations

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
) -> dict[str, jax.Array]:
    """Return (summed until the first termination, that step included) and episode length.

    `policy(agent, obs)` is an algorithm's deterministic policy; vmap this over agents to
    evaluate many parameter vectors at once. Per-step rewards (zero after termination) on request.
    """

    def step(carry, _):
        state, alive = carry
        nxt = env.step(state, jnp.clip(policy(agent, state.obs), -1.0, 1.0))
        reward = jnp.where(alive, nxt.reward, 0.0)
        return (nxt, alive & (nxt.done == 0)), (reward, alive)

    _, (rewards, alive) = jax.lax.scan(step, (start, jnp.bool_(True)), None, length=length)
    out = {"return": rewards.sum(), "length": alive.sum().astype(jnp.int32)}
    if with_rewards:
        out["rewards"] = rewards
    return out
