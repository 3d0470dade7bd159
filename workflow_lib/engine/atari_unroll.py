"""Unrolls of an on-policy learner on a host-stepped game (Atari): G groups of E copies stepped
together from the host for T steps, one jitted call per step for every group's actions.

A group is a training seed (its own agent and key) or, for a PURD, a sample (the checkpoint's
agent, the sample's key); the copies are in training mode (episodic life, clipped rewards, a
finished game restarts by itself), as the learner's update expects. Training and the PPO update
of a PURD collect with this one loop.
"""

from __future__ import annotations

import dataclasses
import functools
from types import ModuleType
from typing import Any, Callable

import jax
import jax.numpy as jnp
import numpy as np


@dataclasses.dataclass
class Unroll:
    """T steps of G x E copies as numpy arrays with leading axes (T, G, E); `last_obs` (G, E, ...)
    is the observation after the last step (its value bootstraps the unroll's tail)."""

    obs: np.ndarray
    action: np.ndarray
    logp: np.ndarray
    reward: np.ndarray
    terminal: np.ndarray
    last_obs: np.ndarray
    finished: list  # raw scores of the games that ended during the unroll, per group


def as_rollouts(learner: ModuleType, unroll: Unroll):
    """The learner's FrameRollout of every group, stacked on a leading group axis: obs (G, T + 1,
    E, ...) with the frame after the unroll last, the rest (G, T, E). A game cut at its time
    limit is reported terminal by the copies (its obs is already the next game's), so nothing
    is marked truncated."""
    obs = np.concatenate([unroll.obs, unroll.last_obs[None]])
    group_first = lambda x: np.swapaxes(x, 0, 1)  # noqa: E731
    return learner.FrameRollout(obs=group_first(obs), action=group_first(unroll.action).astype(np.int32),
                                reward=group_first(unroll.reward), terminal=group_first(unroll.terminal).astype(np.float32),
                                truncated=np.zeros_like(group_first(unroll.reward)),
                                logp=group_first(unroll.logp))


@functools.lru_cache(maxsize=8)
def act_program(learner: ModuleType, shared_agent: bool) -> Callable:
    """jit(agents, obs (G, E, ...), keys (G,)) -> (actions, logp, keys): every group's behaviour
    actions; `shared_agent`: one agent for all groups (a PURD's checkpoint), else one per group."""

    def group(agent, obs, key):
        key, k_act = jax.random.split(key)
        action, logp = learner.act(agent, obs, k_act)
        return action, logp, key

    return jax.jit(jax.vmap(group, in_axes=(None if shared_agent else 0, 0, 0)))


def collect(envs: Any, obs: np.ndarray, act: Callable, agents: Any, keys: jax.Array, length: int,
            groups: int) -> tuple[Unroll, np.ndarray, jax.Array]:
    """(unroll, next obs, keys): `length` steps of every copy of `envs` (groups x E of them, group
    g the copies g*E..(g+1)*E-1) from `obs`, actions from act(agents, obs, keys)."""
    n = len(envs)
    per = n // groups
    shape = (length, groups, per)
    buf = {"obs": np.empty(shape + obs.shape[1:], obs.dtype), "reward": np.empty(shape, np.float32),
           "terminal": np.empty(shape, bool)}
    actions, logps = [], []
    finished = [[] for _ in range(groups)]
    for t in range(length):
        grouped = obs.reshape(groups, per, *obs.shape[1:])
        buf["obs"][t] = grouped
        action, logp, keys = act(agents, grouped, keys)
        action = np.asarray(action)  # the one transfer back per step
        actions.append(action)
        logps.append(logp)
        obs, reward, terminal = envs.step(action.reshape(n))
        buf["reward"][t], buf["terminal"][t] = reward.reshape(groups, per), terminal.reshape(groups, per)
        for i in np.flatnonzero(~np.isnan(envs.finished_returns)):
            finished[i // per].append(float(envs.finished_returns[i]))
    unroll = Unroll(buf["obs"], np.stack(actions),
                    np.asarray(jnp.stack(logps)), buf["reward"], buf["terminal"],
                    obs.reshape(groups, per, *obs.shape[1:]), finished)
    return unroll, obs, keys


@functools.lru_cache(maxsize=4)
def training_copies(env: str, n: int):
    """n copies of a game in training mode, made once per process and count (reset before use)."""
    from workflow_lib.envs.gym_frames import frame_copies

    return frame_copies(env, n, training=True)


@functools.lru_cache(maxsize=8)
def post_update_program(learner: ModuleType) -> Callable:
    """jit(agent, rollouts, keys) -> params: the learner's own update of the agent on each
    group's unroll (leading axis), with that group's key."""
    return jax.jit(jax.vmap(lambda agent, rollout, key: learner.post_update(agent, rollout, key), in_axes=(None, 0, 0)))


@dataclasses.dataclass(frozen=True)
class HostUnrollUpdate:
    """The engine recipe of an Atari PPO PURD (docs/protocol.md, "Atari"): item i's actor after
    one update of the learner's own kind (ppo_atari.post_update: by default a whole PPO
    iteration, all update_batch samples' steps in one compiled program) on a fresh unroll of the training length
    (num_envs x unroll_length), collected with the checkpoint's policy from num_envs copies
    freshly reset with seeds drawn from the sample's key fold_in(root, i) (the checkpoint holds
    no game state, and the ALE's is not restored). fixed = (unused, root). The unrolls run on the
    host, update_batch samples' copies at once (bounding the frames held), so the engine calls
    `host_params` outside any jitted program."""

    env: str
    update_batch: int

    def host_params(self, learner: ModuleType, agent: Any, fixed: Any, items: jax.Array) -> Any:
        from workflow_lib.envs.host import copy_seed

        _, root = fixed
        per, length = agent.config.num_envs, agent.config.unroll_length
        keys = jax.vmap(lambda i: jax.random.fold_in(root, i))(jnp.asarray(items))
        # Per sample: the games' reset seeds, the unroll's actions, the update's minibatch.
        k_games, k_collect, k_update = jnp.moveaxis(jax.vmap(lambda k: jax.random.split(k, 3))(keys), 1, 0)
        seeds = np.asarray(jax.random.key_data(k_games))
        batch = self.update_batch or len(items)
        parts = []
        for lo in range(0, len(items), batch):
            hi = min(lo + batch, len(items))
            copies = training_copies(self.env, (hi - lo) * per)
            obs = copies.reset([copy_seed(*map(int, seeds[g]), e) for g in range(lo, hi) for e in range(per)])
            unroll, _, _ = collect(copies, obs, act_program(learner, True), agent, k_collect[lo:hi], length, hi - lo)
            parts.append(post_update_program(learner)(agent, as_rollouts(learner, unroll), k_update[lo:hi]))
        return jax.tree.map(lambda *xs: jnp.concatenate(xs), *parts)
