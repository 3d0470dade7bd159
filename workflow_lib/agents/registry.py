"""The registry of learners: name -> module, hyperparameter class and kind.

A learner is a module with these functions (the protocol every study relies on; README "Add
your own learner" has a worked example):

    init(key, obs_size, action_size, config) -> state       a fresh agent (a flax struct)
    update(state, batch, key, actor_step=None) -> (state, metrics)   one training update
    policy(state, obs) -> action                             the deterministic policy
    actor_params(state) -> params                            what a post-update sample changes
    with_actor_params(state, params) -> state                the agent with other actor params
    post_update(state, data, key, env, max_steps) -> params  one update for the PURD: the actor
        parameters after one update of the learner's own kind, from the data the checkpoint
        holds (the replay buffer off-policy, the training envs for PPO)
    explore(state, obs, key) -> action                       off-policy only: the behaviour policy

On-policy learners are trained by the PPO loop (training/loops.py, ppo_chunk: `collect` then
`update`), off-policy ones by the replay loop (offpolicy_chunk).
"""

from __future__ import annotations

import dataclasses
from types import ModuleType

from workflow_lib.agents import bc
from workflow_lib.agents import ppo
from workflow_lib.agents import sac
from workflow_lib.agents import td3

PROTOCOL = ("init", "update", "policy", "actor_params", "with_actor_params", "post_update")


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """A learner module (PROTOCOL, and `explore` if off-policy) with its hyperparameter class."""

    name: str
    module: ModuleType
    config_cls: type
    off_policy: bool
    trained: bool = True  # False: made by a study (bc's clones), never by the training loops

    def __post_init__(self):
        loop = (("explore",) if self.off_policy else ("collect",)) if self.trained else ()
        needed = PROTOCOL + loop
        missing = [f for f in needed if not callable(getattr(self.module, f, None))]
        if missing:
            raise TypeError(f"learner {self.name!r} ({self.module.__name__}) lacks {', '.join(missing)}")

    def make_config(self, values: dict):
        """The hyperparameter dataclass from config values (unknown keys are ignored here)."""
        fields = {f.name for f in dataclasses.fields(self.config_cls)}
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in fields}
        return self.config_cls(**kwargs)


ALGORITHMS = {
    "td3": Algorithm("td3", td3, td3.TD3Config, True),
    "sac": Algorithm("sac", sac, sac.SACConfig, True),
    "ppo": Algorithm("ppo", ppo, ppo.PPOConfig, False),
    # Not trained by the training rules: clones of TD3 policies (behaviour_cloning), registered so
    # that the PURD engine samples them like any learner (their update: one more BC step).
    "bc": Algorithm("bc", bc, bc.BCConfig, True, trained=False),
}


def register(name: str, module: ModuleType, config_cls: type, off_policy: bool) -> Algorithm:
    """Add a learner at run time (tests, notebooks); a workflow learner gets a line in ALGORITHMS
    above instead, so that every job process knows it."""
    if name in ALGORITHMS or name == "gaussian":
        raise ValueError(f"a learner named {name!r} exists already")
    ALGORITHMS[name] = Algorithm(name, module, config_cls, off_policy)
    return ALGORITHMS[name]


def off_policy(name: str) -> bool:
    """Whether a learner's checkpoints come with a replay buffer (its post_update's data)."""
    return ALGORITHMS[name].off_policy
