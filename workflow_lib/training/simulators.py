"""Where a training job's simulator runs: one strategy per env family behind one interface, so that
the Trainer never asks which family it trains on.

- JittedSimulator: a Brax env, stepped inside the jitted, seed-vmapped chunks (training.loops).
- HostSimulator: a simulator stepped from the host, a copy per seed (DM Control, Gymnasium:
  host_loop.HostTraining) or num_envs copies per seed (Atari: atari_loop.HostPPOTraining).

Each gives: `chunk(n_steps, learn)`, a function carry -> (carry, metrics) advancing every seed;
`evaluate(agents)`, each seed's deterministic return from s_I; `init(...)`, a seed key's fresh
carry; `recent_return(carry)`; `resumable`; `snapshot_meta()` and `restore(meta)`, what a
snapshot holds beyond the carry.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import jax
import numpy as np

from workflow_lib.agents.registry import Algorithm
from workflow_lib.core.trees import over_seeds
from workflow_lib.engine.families import family_of
from workflow_lib.engine.rollout import RolloutSettings, rollout_return
from workflow_lib.envs.host import host_family, plays_frames
from workflow_lib.envs.native import make_env, reference_state
from workflow_lib.training.atari_loop import HostPPOTraining
from workflow_lib.training.files import carry_initializer
from workflow_lib.training.host_loop import HostTraining
from workflow_lib.training.job import TrainJob
from workflow_lib.training.loops import carry_init, offpolicy_chunk, ppo_chunk, recent_return


class JittedSimulator:
    """A Brax env inside the jitted chunks: the whole chunk, updates and steps, is one program."""

    resumable = True  # the carry holds the envs' states: a snapshot continues to the bit

    def __init__(self, job: TrainJob, algo: Algorithm, hp, unit: int):
        self.job, self.algo, self.hp, self.unit = job, algo, hp, unit
        self.env = make_env(job.env, job.backend)
        self.start = reference_state(job.env, job.backend)
        self._chunks: dict[tuple[int, bool], Callable] = {}
        self.evaluate = jax.jit(over_seeds(self._rollout_return))

    def _rollout_return(self, agent):
        return rollout_return(self.env, self.algo.module.policy, agent, self.start, self.job.episode_length)

    def chunk(self, n_steps: int, learn: bool) -> Callable:
        """The jitted, seed-vmapped program advancing every seed by n_steps (cached per shape)."""
        if (n_steps, learn) not in self._chunks:
            if self.algo.off_policy:
                fn = functools.partial(self._offpolicy_chunk, n_steps, learn)
            else:
                fn = over_seeds(functools.partial(self._ppo_chunk, n_steps // self.unit))
            self._chunks[(n_steps, learn)] = jax.jit(fn, donate_argnums=0)
        return self._chunks[(n_steps, learn)]

    def _offpolicy_chunk(self, n_steps: int, learn: bool, carry):
        return offpolicy_chunk(self.algo, self.env, carry, n_steps, learn, self.job.episode_length)

    def _ppo_chunk(self, iterations: int, carry):
        return ppo_chunk(self.algo, self.env, carry, iterations, self.job.episode_length)

    def init(self, capacity: int) -> Callable:
        """A seed key -> its fresh carry, on the env this simulator made."""
        every = self.job.state_every if self.algo.off_policy else 0
        return functools.partial(carry_init, self.algo, self.env, self.hp, capacity=capacity, state_every=every)

    def recent_return(self, carry) -> np.ndarray:
        return np.asarray(jax.vmap(recent_return)(carry))

    def snapshot_meta(self) -> dict:
        return {}

    def restore(self, meta: dict) -> None:
        pass


class HostSimulator:
    """A simulator stepped from the host, one round trip per step for every seed's copies; the
    replay buffers, updates and next actions stay on the device (`side`: the family's loop)."""

    def __init__(self, job: TrainJob, algo: Algorithm, hp):
        self.job, self.algo, self.hp = job, algo, hp
        if plays_frames(job.env):
            self.side: HostTraining | HostPPOTraining = HostPPOTraining(job.env, algo, job.seeds, hp)
        else:  # resume restores its copies' states
            self.side = HostTraining(job.env, algo, job.seeds, job.episode_length, backend=job.backend)
        self.resumable = self.side.resumable  # an Atari job's games cannot be saved: it reruns

    def chunk(self, n_steps: int, learn: bool) -> Callable:
        return functools.partial(self._advance, n_steps, learn)

    def _advance(self, n_steps: int, learn: bool, carry) -> tuple[Any, dict]:
        """n_steps env steps of every seed (the chunk's metrics: the last update's)."""
        end = int(carry.steps[0]) + n_steps
        carry = self.side.advance(carry, end - n_steps, end, learn, end >= self.job.warmup_steps,
                                  getattr(self.hp, "policy_delay", 1))
        return carry, self.side.metrics

    def evaluate(self, agents) -> dict:
        """Each seed's deterministic policy from s_I, the seeds' rollouts in one host loop."""
        job, family, learner = self.job, family_of(self.job.env), self.algo.module
        params = jax.vmap(learner.actor_params)(agents)
        first = jax.tree.map(lambda x: x[0], agents)
        # Learning curves show an Atari game's score (as CleanRL's do), not the PURDs' clipped return.
        settings = RolloutSettings(batch_size=len(job.seeds), episode_length=job.episode_length,
                                   atari_return="game_score")
        start = family.reference_state(job.env, job.backend)
        return family.rollouts(family.make(job.env, job.backend), learner, first, params, start, settings)

    def init(self, capacity: int) -> Callable:
        return carry_initializer(self.algo, self.job.env, self.job.backend, self.hp, capacity)

    def recent_return(self, carry) -> np.ndarray:
        return self.side.recent_return()

    def snapshot_meta(self) -> dict:
        return {"host_state": self.side.state()}

    def restore(self, meta: dict) -> None:
        self.side.restore(meta["host_state"])


def simulator(job: TrainJob, algo: Algorithm, hp, unit: int) -> JittedSimulator | HostSimulator:
    """The strategy of the job's env family."""
    if host_family(job.env) is None:
        return JittedSimulator(job, algo, hp, unit)
    return HostSimulator(job, algo, hp)
