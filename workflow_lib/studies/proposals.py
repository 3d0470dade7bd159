"""Algorithm 1's proposal on each env family: one training cycle exactly as training takes it
(policy_delay env steps with exploration noise, each stored and followed by one update, the last
of which moves the actor and the targets), and what a rejection keeps.

A variant's state is a value: a proposal returns a new one and never changes its input, so the
rejection and baseline variants can hold the same state until they part, and a rejected
candidate is simply dropped.

- Brax: the state is training's own OffPolicyCarry (networks, buffer, env, key, steps) and a
  proposal is training's own jitted offpolicy_chunk.
- Host-stepped simulators (DM Control, Gymnasium): the state is the learner's device carry and
  the host side of one training copy (its simulator state, random stream, observation, episode
  bookkeeping, next action; host_loop.HostTraining.state()), and a proposal is training's own
  host loop continued from it. A checkpoint holds no simulator state (one more TD3/SAC update
  needs none), so the env of a run starts fresh: reset from a random stream of its own per
  checkpoint and run (DECIDED; the paper's proposals continue training's env, which the Brax
  checkpoint holds).
"""

from __future__ import annotations

import functools
from typing import Any

import jax
from flax import struct

from workflow_lib.agents.registry import ALGORITHMS
from workflow_lib.envs.host import copy_seed, host_family
from workflow_lib.envs.native import make_env
from workflow_lib.training.host_loop import HostCarry, HostTraining
from workflow_lib.training.loops import OffPolicyCarry, offpolicy_chunk


@struct.dataclass
class HostProposalState:
    """A variant's state on a host-stepped task: the device carry of one seed and the host side
    of its simulator copy (JSON values, not traced)."""

    carry: HostCarry
    host: dict = struct.field(pytree_node=False)

    # The learner's parts, named as on OffPolicyCarry, for the PURD estimate and the trace.
    @property
    def agent(self):
        return self.carry.agent

    @property
    def buffer(self):
        return self.carry.buffer

    @property
    def steps(self):
        return self.carry.steps

    @property
    def key(self):
        return self.carry.key


@functools.lru_cache(maxsize=8)
def proposal_program(env_name: str, backend: str, algo_name: str, max_steps: int):
    """Brax: carry -> the carry after one training cycle (jitted; cached per env and algorithm)."""
    algo, env = ALGORITHMS[algo_name], make_env(env_name, backend)

    def propose(carry: OffPolicyCarry) -> OffPolicyCarry:
        one_seed = jax.tree.map(lambda x: x[None], carry)  # offpolicy_chunk's seed axis
        out, _ = offpolicy_chunk(algo, env, one_seed, carry.agent.config.policy_delay, True, max_steps)
        return jax.tree.map(lambda x: x[0], out)

    return jax.jit(propose)


class BraxProposer:
    """Proposals on a Brax env: the env is in the carry."""

    def __init__(self, env: str, backend: str, algo: str, max_steps: int):
        self.program = proposal_program(env, backend, algo, max_steps)

    def initial(self, carry: OffPolicyCarry, stream: tuple) -> OffPolicyCarry:
        del stream  # the checkpoint's own env state goes on
        return carry

    def propose(self, state: OffPolicyCarry) -> OffPolicyCarry:
        return self.program(state)

    @staticmethod
    def keep(current: OffPolicyCarry, candidate: OffPolicyCarry) -> OffPolicyCarry:
        """A rejection: the current networks, optimizer states, buffer and step count; the
        candidate's env and key, which go on."""
        return current.replace(env=candidate.env, key=candidate.key)


class HostProposer:
    """Proposals on a host-stepped task: one simulator copy, set to a variant's host side before
    each proposal (the variants' envs part once their policies do)."""

    def __init__(self, env: str, backend: str, algo: str, max_steps: int):
        self.env, self.backend, self.algo = env, backend, ALGORITHMS[algo]
        self.max_steps = max_steps
        self.side: HostTraining | None = None

    def initial(self, carry: HostCarry, stream: tuple) -> HostProposalState:
        """The checkpoint's learner with a fresh copy of the task, reset from the random stream
        named by `stream` (env, algo, seed, step and run)."""
        self.side = HostTraining(self.env, self.algo, (0,), self.max_steps, streams=[copy_seed(*stream)],
                                 backend=self.backend)
        return HostProposalState(carry, self.side.state())

    def propose(self, state: HostProposalState) -> HostProposalState:
        delay = state.carry.agent.config.policy_delay
        self.side.restore(state.host)
        # advance's step program donates its carry: x[None] gives it arrays of its own, and the
        # state's carry stays valid for a rejection to keep.
        one_seed = jax.tree.map(lambda x: x[None], state.carry)
        out = self.side.advance(one_seed, 0, delay, True, True, delay)
        return HostProposalState(jax.tree.map(lambda x: x[0], out), self.side.state())

    @staticmethod
    def keep(current: HostProposalState, candidate: HostProposalState) -> HostProposalState:
        """A rejection: the current learner with the candidate's key and simulator copy, which go
        on; the next action is the kept policy's, chosen when the next proposal begins."""
        return HostProposalState(current.carry.replace(key=candidate.carry.key), {**candidate.host, "actions": None})


def proposer(env: str, backend: str, algo: str, max_steps: int) -> Any:
    """The proposer of an env's family."""
    if host_family(env) is not None:
        return HostProposer(env, backend, algo, max_steps)
    return BraxProposer(env, backend, algo, max_steps)
