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

from workflow_lib.engine.rollout import RolloutSettings, batched_block
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


BRAX = BraxFamily()
FAMILIES: dict[str, EnvFamily] = {name: BRAX for name in ENV_NAMES}


def family_of(env: str) -> EnvFamily:
    """The family an env name belongs to."""
    if env not in FAMILIES:
        raise ValueError(f"unknown env {env!r}; expected one of {sorted(FAMILIES)}")
    return FAMILIES[env]
