"""Deterministic evaluation from the reference state s_I (docs/protocol.md, "One update": the
evaluation of an updated policy)."""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any, Callable

import jax
import jax.numpy as jnp
from brax.envs.base import Env, State


def policy_step(env: Env, policy: Callable[[Any, jax.Array], jax.Array], agent: Any, with_states: bool = False):
    """One step of a deterministic rollout as a lax.scan body: carry (state, alive), outputs
    (reward masked after termination, alive before the step, q after the step on request)."""

    def step(carry, _):
        state, alive = carry
        nxt = env.step(state, jnp.clip(policy(agent, state.obs), -1.0, 1.0))
        reward = jnp.where(alive, nxt.reward, 0.0)
        q = nxt.pipeline_state.q if with_states else ()
        return (nxt, alive & (nxt.done == 0)), (reward, alive, q)

    return step


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
    step = policy_step(env, policy, agent, with_states)
    _, (rewards, alive, q) = jax.lax.scan(step, (start, jnp.bool_(True)), None, length=length)
    out = {"return": rewards.sum(), "length": alive.sum().astype(jnp.int32)}
    if with_rewards:
        out["rewards"] = rewards
    if with_states:
        out["q"] = q
    return out


def stop_check_every(length: int, at_most: int = 50) -> int:
    """Steps between checks of whether every copy has terminated: the largest divisor of the
    episode length up to `at_most`, so that blocks tile the episode exactly."""
    return max(d for d in range(1, min(length, at_most) + 1) if length % d == 0)


def rollout_block(env: Env, policy: Callable, agent: Any, state: State, alive: jax.Array, length: int,
                  with_states: bool = False) -> tuple[tuple[State, jax.Array], tuple]:
    """`length` steps of rollout_return's scan from (state, alive): ((state, alive), (rewards,
    alive before each step, q)). Blocks in a row give rollout_return's outputs to the bit: the
    engine runs them from the host and stops once every copy of a chunk has terminated. (A
    while_loop over steps or over blocks inside the program compiled the step differently under
    vmap: returns moved in their last bits, which a chaotic rollout amplifies.)"""
    return jax.lax.scan(policy_step(env, policy, agent, with_states), (state, alive), None, length=length)


@dataclasses.dataclass(frozen=True)
class RolloutSettings:
    """How the engine rolls policies out: chunk size (memory bound), episode length, and what
    each rollout records besides its return and length."""

    batch_size: int = 50
    episode_length: int = 1000
    with_rewards: bool = False
    with_states: bool = False  # per-step q of each rollout (for rendering a few chosen samples)
    # An Atari game's return (docs/protocol.md, "Atari"): "clipped_horizon", the authors' sum of
    # sign-clipped rewards over episode_length + 1 steps through lost lives and restarted games;
    # "game_score", the raw score of one game. Other families ignore it.
    atari_return: str = "clipped_horizon"


def batched_block(env: Env, learner: ModuleType, agent: Any, params: Any, state: State, alive: Any, length: int,
                  with_states: bool) -> tuple:
    """rollout_block for many policies (actor params, states and alive flags with a leading
    axis): the learner's deterministic policy of the agent with each row's params."""
    one = lambda p, s, a: rollout_block(env, learner.policy, learner.with_actor_params(agent, p), s, a,  # noqa: E731
                                        length, with_states)
    return jax.vmap(one)(params, state, alive)
