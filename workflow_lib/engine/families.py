"""Environment families: how the rollout engine makes an env, finds its reference start state s_I
and rolls a batch of policies out of it.

A family is the engine's only view of a simulator. A JAX-native family (Brax) steps inside the
jitted program (`jittable`): the engine compiles parameter building and rollouts into one
program. A host-stepped family (a vectorised simulator stepped from Python) is not jittable: the
engine compiles parameter building alone and calls the family's `rollouts` on the host, which
steps the whole batch once per step with a jitted, vmapped policy. Studies never see which.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType
from typing import Any, Protocol

import functools

import jax
import numpy as np

from workflow_lib.engine.rollout import RolloutSettings, batched_block
from workflow_lib.envs.gym_frames import frame_copies
from workflow_lib.envs.host import HOST_ENVS, HostEnvs, action_mapping, host_family, plays_frames, split_host_env
from workflow_lib.envs.native import ENV_NAMES, make_env, reference_state


class EnvFamily(Protocol):
    """What the rollout engine needs from a family of environments."""

    name: str
    jittable: bool  # rollouts are traced into jitted programs, a block of steps at a time

    def make(self, env: str, backend: str) -> Any: ...

    def reference_state(self, env: str, backend: str) -> Any: ...

    def block(self, env: Any, learner: ModuleType, agent: Any, params: Any, state: Any, alive: Any, length: int,
              with_states: bool) -> tuple:
        """Jittable families: `length` steps of the rollouts of the learner's deterministic policy
        with each row of `params`, `state` and `alive` (a leading axis): ((state, alive),
        (rewards, alive before each step, q))."""

    def rollouts(self, env: Any, learner: ModuleType, agent: Any, params: Any, start: Any,
                 settings: RolloutSettings) -> dict[str, Any]:
        """Host-stepped families: whole rollouts of each row of `params` from `start`, stepped from
        the host once per step for the whole batch: "return" and "length" per row (and
        "rewards", "q" on request)."""


@dataclasses.dataclass(frozen=True)
class BraxFamily:
    """Brax (and the probe task): environments in JAX, stepped inside jitted programs."""

    name: str = "brax"
    jittable: bool = True

    def make(self, env: str, backend: str):
        return make_env(env, backend)

    def reference_state(self, env: str, backend: str):
        return reference_state(env, backend)

    def block(self, env, learner, agent, params, state, alive, length, with_states):
        return batched_block(env, learner, agent, params, state, alive, length, with_states)

    def rollouts(self, env, learner, agent, params, start, settings: RolloutSettings):
        raise NotImplementedError("Brax is stepped in blocks inside jitted programs (block)")


CLIPPED_HORIZON = "clipped_horizon"


@dataclasses.dataclass(frozen=True)
class HostTask:
    """What HostFamily.make gives the engine: a task's name and its run's backend (a DM Control
    run's action mapping, envs/host.py)."""

    name: str
    backend: str = "none"


@functools.lru_cache(maxsize=8)
def host_copies(env: str, n: int, atari_return: str = CLIPPED_HORIZON, actions: str = "scale"):
    """n copies of a host-stepped task, made once per process, batch size, kind of return and
    action mapping (a DM Control copy takes tens of milliseconds to build) and reset before every
    use: an Atari game's in evaluation mode, for the return `atari_return`
    (RolloutSettings.atari_return)."""
    if plays_frames(env):  # an ALE game, or a discrete Gymnasium env of the user's
        if atari_return not in (CLIPPED_HORIZON, "game_score"):
            raise ValueError(f"unknown Atari return {atari_return!r}; expected clipped_horizon or game_score")
        return frame_copies(env, n, training=False, clipped_horizon=atari_return == CLIPPED_HORIZON)
    return HostEnvs(env, n, actions)


def horizon(env: str, settings: RolloutSettings) -> int:
    """The steps a rollout may take: episode_length, or on an Atari game with the clipped-horizon
    return episode_length + 1, the authors' count (their loop stopped once it exceeded max_len)."""
    clipped = plays_frames(env) and settings.atari_return == CLIPPED_HORIZON
    return settings.episode_length + int(clipped)


@functools.lru_cache(maxsize=16)
def host_policy(learner: ModuleType):
    """jit(agent, params, obs) -> actions: the learner's deterministic policy with each row of
    params on the matching row of obs, for a whole batch in one call per step."""
    act = lambda agent, p, o: learner.policy(learner.with_actor_params(agent, p), o)  # noqa: E731
    return jax.jit(jax.vmap(act, in_axes=(None, 0, 0)))


@dataclasses.dataclass(frozen=True)
class HostFamily:
    """Simulators stepped from Python (envs/host.py: DM Control, Gymnasium's MuJoCo tasks;
    envs/atari.py: the ALE's games, whose greedy policies act on stacked frames).

    s_I is a seed: every copy of a batch is reset with it, so all start from the same state (the
    paper's authors made their evaluation copies with one seed). Then one jitted policy call and
    one host step of the live copies per step, in two overlapping halves where there are enough
    copies (overlap_groups); a chunk ends when every copy has terminated (an Atari game's
    clipped-horizon copies never do: they play the whole horizon).
    """

    name: str = "host"
    jittable: bool = False
    start_seed: int = 0

    def make(self, env: str, backend: str) -> HostTask:
        return HostTask(env, backend)  # the copies are made per batch size (host_copies)

    def reference_state(self, env: str, backend: str):
        return np.int64(self.start_seed)

    def block(self, env, learner, agent, params, state, alive, length, with_states):
        raise NotImplementedError("a host-stepped family is stepped from the host (rollouts)")

    def rollouts(self, env: HostTask, learner, agent, params, start, settings: RolloutSettings):
        n, length = len(jax.tree.leaves(params)[0]), horizon(env.name, settings)
        copies = host_copies(env.name, n, settings.atari_return, action_mapping(env.name, env.backend))
        act = host_policy(learner)
        obs = copies.reset([int(start)] * n)
        rewards = np.zeros((n, length), np.float32)
        alive_before = np.zeros((n, length), bool)
        qs = np.zeros((n, length, len(copies.qpos()[0])), np.float32) if settings.with_states else None
        alive = np.ones(n, bool)
        groups = overlap_groups(copies, n)
        group_params = [jax.tree.map(lambda x, g=g: x[g], params) for g in groups]
        index = np.arange(n)
        in_group = [(index >= g.start) & (index < g.stop) for g in groups]  # the copies a group steps
        # Each group's policy call is dispatched as soon as its copies have stepped, so that it
        # runs on XLA's threads while Python steps the other group (JAX dispatches asynchronously).
        pending = [act(agent, p, obs[g]) for g, p in zip(groups, group_params)]
        actions = np.zeros((n, *np.shape(pending[0])[1:]), np.asarray(pending[0]).dtype)
        for t in range(length):
            if not alive.any():
                break
            for i, (g, p) in enumerate(zip(groups, group_params)):
                if pending[i] is None:  # every copy of the group has ended: they stand still
                    if qs is not None:
                        qs[g, t] = copies.qpos()[g]
                    continue
                actions[g] = np.asarray(pending[i])
                nxt, reward, terminal = copies.step(actions, alive & in_group[i])
                rewards[g, t], alive_before[g, t] = np.where(alive[g], reward[g], 0.0), alive[g]
                if qs is not None:
                    qs[g, t] = copies.qpos()[g]
                alive[g] = alive[g] & ~terminal[g]
                obs[g] = np.where(alive[g].reshape(-1, *[1] * (obs.ndim - 1)), nxt[g], obs[g])
                pending[i] = act(agent, p, obs[g]) if alive[g].any() and t + 1 < length else None
        out = {"return": rewards.sum(axis=1), "length": alive_before.sum(axis=1).astype(np.int32)}
        if settings.with_rewards:
            out["rewards"] = rewards
        if qs is not None:
            out["q"] = qs
        return out


# Copies per group from which a batch's rollouts step in two groups (overlap_groups): below it, a
# second policy call a step costs more than the overlap saves.
OVERLAP_MIN_COPIES = 16


def overlap_groups(copies, n: int) -> list[slice]:
    """The groups of copies a rollout steps in turn: two halves where the copies step one at a
    time from Python (HostEnvs: DM Control, Gymnasium) and there are enough of them, else one (an
    Atari vector steps all its copies in C++ at once)."""
    if isinstance(copies, HostEnvs) and n >= 2 * OVERLAP_MIN_COPIES:
        return [slice(0, n // 2), slice(n // 2, n)]
    return [slice(0, n)]


BRAX = BraxFamily()
HOST = HostFamily()
FAMILIES: dict[str, EnvFamily] = {name: BRAX for name in ENV_NAMES}


def family_of(env: str) -> EnvFamily:
    """The family an env name belongs to."""
    if host_family(env) is not None:
        split_host_env(env)
        return HOST
    if env not in FAMILIES:
        raise ValueError(f"unknown env {env!r}; expected one of {sorted(FAMILIES)} or a host-stepped task "
                         f"({', '.join(HOST_ENVS[:3])}, ...)")
    return FAMILIES[env]
