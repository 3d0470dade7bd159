"""Off-policy training on a host-stepped simulator: the seeds of a job step their own copies of
the task in lockstep from the host, and everything else (replay buffers, updates, the next
action) stays on the device. One jitted call per env step for all seeds: it stores the step's
transitions, runs one update per seed, and returns the next actions, the one transfer back.

Same algorithm as the Brax loop (loops.offpolicy_chunk): act, step, store, update; uniform
actions and no updates before warmup_steps; TD3's actor step on the last step of each
policy_delay cycle; an episode ends on termination or after episode_length steps (truncated,
bootstrapped from the true next observation) and the copy resets from its own random stream.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from flax import struct

from workflow_lib.agents.registry import Algorithm
from workflow_lib.agents.replay import ReplayBuffer, buffer_add_seeds, buffer_init, buffer_sample
from workflow_lib.core.trees import over_seeds, strong_types
from workflow_lib.envs.carry import Transition
from workflow_lib.envs.host import HostEnvs, action_mapping, copy_seed


@struct.dataclass
class HostCarry:
    """One seed's device state: agent, replay buffer, key, step count (the env lives on the host)."""

    agent: Any
    buffer: ReplayBuffer
    key: jax.Array
    steps: jax.Array


def host_carry_init(algo: Algorithm, obs_size: int, action_size: int, hp, key: jax.Array, capacity: int) -> HostCarry:
    """The carry at step 0 for one seed (the key split as loops.carry_init splits it)."""
    k_agent, _, key = jax.random.split(key, 3)
    agent = algo.module.init(k_agent, obs_size, action_size, hp)
    buffer = buffer_init(capacity, obs_size, action_size)
    return strong_types(HostCarry(agent, buffer, key, jnp.zeros((), jnp.int32)))


def _action(algo: Algorithm, agent, obs, key, explore: bool, action_size: int):
    """(action, key): the behaviour action, or a uniform one before warm-up ends."""
    key, k_act = jax.random.split(key)
    if explore:
        return algo.module.explore(agent, obs, k_act), key
    return jax.random.uniform(k_act, (action_size,), minval=-1.0, maxval=1.0), key


@functools.lru_cache(maxsize=16)
def step_program(algo: Algorithm, action_size: int, update: bool, actor_step: bool, explore: bool):
    """jit(carry, transitions, obs) -> (carry, actions, metrics): store one transition per seed,
    update each seed once (if `update`), then each seed's action for `obs`."""

    def advance(carry: HostCarry, trans: Transition, obs: jax.Array):
        buffer = buffer_add_seeds(carry.buffer, trans, carry.steps[0])

        def per_seed(agent, buf, key, o):
            metrics = {}
            if update:
                key, k_batch, k_update = jax.random.split(key, 3)
                batch = buffer_sample(buf, k_batch, agent.config.batch_size)
                agent, metrics = algo.module.update(agent, batch, k_update, actor_step=actor_step)
            action, key = _action(algo, agent, o, key, explore, action_size)
            return agent, key, action, metrics

        agent, key, actions, metrics = over_seeds(per_seed)(carry.agent, buffer, carry.key, obs)
        return strong_types(HostCarry(agent, buffer, key, carry.steps + 1)), actions, metrics

    return jax.jit(advance, donate_argnums=0)


@functools.lru_cache(maxsize=16)
def first_action_program(algo: Algorithm, action_size: int, explore: bool):
    """jit(carry, obs) -> (carry, actions): each seed's first action (after a start or a resume)."""

    def first(carry: HostCarry, obs: jax.Array):
        actions, keys = over_seeds(lambda a, o, k: _action(algo, a, o, k, explore, action_size))(
            carry.agent, obs, carry.key)
        return carry.replace(key=keys), actions

    return jax.jit(first)


class HostTraining:
    """The host side of a job: one copy of the task per seed, each with its own random stream
    (seeded from the env, the learner and the seed), the current observations, the episode
    bookkeeping, and the actions the device chose for the next step."""

    resumable = True  # state() and restore() continue a run to the bit (a task without a snapshot: restore)

    def __init__(self, env: str, algo: Algorithm, seeds: tuple[int, ...], episode_length: int,
                 streams: list[int] | None = None, backend: str = "none"):
        """`streams`: the copies' simulator seeds, if not training's own (copy_seed of the env,
        the learner and the seed); `backend`: the run's (a DM Control run's action mapping)."""
        self.algo, self.episode_length = algo, episode_length
        self.envs = HostEnvs(env, len(seeds), action_mapping(env, backend))
        self.obs = self.envs.reset(streams or [copy_seed(env, algo.name, s) for s in seeds])
        n = len(seeds)
        self.t, self.episode_return = np.zeros(n, np.int64), np.zeros(n, np.float64)
        self.last_return = np.full(n, np.nan)
        self.actions = None
        self.metrics: dict = {}

    def advance(self, carry: HostCarry, start: int, end: int, learn: bool, next_learn: bool, delay: int) -> HostCarry:
        """Env steps start..end-1 of every seed, each followed by an update when `learn` (a chunk
        learns or warms up as a whole, as in the Brax loop); the last step's next actions are
        for the next chunk (`next_learn`)."""
        size = self.envs.action_size
        if self.actions is None:
            carry, self.actions = first_action_program(self.algo, size, learn)(carry, self.obs)
        for step in range(start, end):
            next_obs, reward, terminal = self.envs.step(np.asarray(self.actions))
            self.t += 1
            truncated = (self.t >= self.episode_length) & ~terminal
            self.episode_return += reward
            trans = Transition(self.obs, np.asarray(self.actions, np.float32), reward, next_obs,
                               terminal.astype(np.float32), truncated.astype(np.float32))
            obs = next_obs.copy()
            for i in np.flatnonzero(terminal | truncated):
                self.last_return[i], self.episode_return[i], self.t[i] = self.episode_return[i], 0.0, 0
                obs[i] = self.envs.reset_one(i)
            program = step_program(self.algo, size, learn, learn and step % delay == delay - 1,
                                   learn if step + 1 < end else next_learn)
            carry, self.actions, metrics = program(carry, trans, obs)
            self.metrics = metrics or self.metrics
            self.obs = obs
        return carry

    def recent_return(self) -> np.ndarray:
        return self.last_return

    def state(self) -> dict:
        """The host side as JSON values, for a snapshot: the copies' simulator states and random
        streams, observations, episode bookkeeping and the actions chosen for the next step."""
        return {"envs": self.envs.get_state(), "obs": self.obs.tolist(), "t": self.t.tolist(),
                "episode_return": self.episode_return.tolist(), "last_return": self.last_return.tolist(),
                "actions": None if self.actions is None else np.asarray(self.actions).tolist()}

    def restore(self, state: dict) -> None:
        """Continue from `state` (what state() gave): the next steps are those of the run that
        took the snapshot, to the bit. A copy whose task has no snapshot (a Gymnasium env of the
        user's without get_state) begins a new episode from its saved random stream instead, and
        every seed's next action is chosen anew."""
        restarted = self.envs.set_state(state["envs"])
        self.obs = np.asarray(state["obs"], np.float32)
        self.t = np.asarray(state["t"], np.int64)
        self.episode_return = np.asarray(state["episode_return"], np.float64)
        self.last_return = np.asarray(state["last_return"], np.float64)
        self.actions = None if state["actions"] is None else np.asarray(state["actions"], np.float32)
        for i, obs in enumerate(restarted):
            if obs is not None:
                self.obs[i], self.t[i], self.episode_return[i], self.actions = obs, 0, 0.0, None
