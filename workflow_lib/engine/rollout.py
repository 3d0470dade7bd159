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
