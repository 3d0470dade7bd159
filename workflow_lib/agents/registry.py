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
`update`), off-policy ones by the replay loop (offpolicy_chunk). A learner for Atari games
(`pixels`: stacked frames in, one of the game's actions out) is stepped from the host
(training/atari_loop.py): it has `act(state, obs, key) -> (action, logp)` instead of `collect`, and
its post_update's data is an unroll the host collected, a `FrameRollout` (obs [T + 1, E, ...], the
frame after the unroll last; action, reward, terminal, truncated, logp [T, E]).
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
from types import ModuleType

PROTOCOL = ("init", "update", "policy", "actor_params", "with_actor_params", "post_update")


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """A learner: its module (imported on first use, so that planning a workflow, which asks only
    `off_policy`, does not import JAX) and the name of its hyperparameter dataclass there."""

    name: str
    module_name: str
    config_name: str
    off_policy: bool  # its checkpoints come with a replay buffer, which its post_update reads
    trained: bool = True  # False: made by a study (bc's clones), never by the training loops
    pixels: bool = False  # True: plays Atari games (frames in, discrete actions out), and only them

    @property
    def module(self) -> ModuleType:
        return _checked_module(self)

    @property
    def config_cls(self) -> type:
        return getattr(self.module, self.config_name)

    def make_config(self, values: dict):
        """The hyperparameter dataclass from config values (unknown keys are ignored here)."""
        fields = {f.name for f in dataclasses.fields(self.config_cls)}
        kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items() if k in fields}
        return self.config_cls(**kwargs)


@functools.lru_cache(maxsize=None)
def _checked_module(algo: Algorithm) -> ModuleType:
    module = importlib.import_module(algo.module_name)
    loop = (("explore",) if algo.off_policy else ("act",) if algo.pixels else ("collect",)) if algo.trained else ()
    missing = [f for f in PROTOCOL + loop if not callable(getattr(module, f, None))]
    if missing or not dataclasses.is_dataclass(getattr(module, algo.config_name, None)):
        raise TypeError(f"learner {algo.name!r} ({algo.module_name}) lacks {', '.join(missing or [algo.config_name])}")
    return module


ALGORITHMS = {
    "td3": Algorithm("td3", "workflow_lib.agents.td3", "TD3Config", off_policy=True),
    "sac": Algorithm("sac", "workflow_lib.agents.sac", "SACConfig", off_policy=True),
    "ppo": Algorithm("ppo", "workflow_lib.agents.ppo", "PPOConfig", off_policy=False),
    "ppo_atari": Algorithm("ppo_atari", "workflow_lib.agents.ppo_atari", "PPOAtariConfig", off_policy=False,
                           pixels=True),
    # Not trained by the training rules: clones of TD3 policies (behaviour_cloning), registered so
    # that the PURD engine samples them like any learner (their update: one more BC step).
    "bc": Algorithm("bc", "workflow_lib.agents.bc", "BCConfig", off_policy=True, trained=False),
}


def register(name: str, module_name: str, config_name: str, off_policy: bool) -> Algorithm:
    """Add a learner at run time (tests, notebooks). A workflow learner gets a line in ALGORITHMS
    above instead, so that every job process knows it."""
    if name in ALGORITHMS or name == "gaussian":
        raise ValueError(f"a learner named {name!r} exists already")
    ALGORITHMS[name] = Algorithm(name, module_name, config_name, off_policy)
    ALGORITHMS[name].module  # noqa: B018  (check the protocol now, not in the first job)
    return ALGORITHMS[name]


def plays_atari(name: str) -> bool:
    """Whether a learner is for Atari games (and only them); a name the schema allows but this
    process has not registered (README "Add your own learner", step 3 before step 2) is not."""
    return name in ALGORITHMS and ALGORITHMS[name].pixels


def off_policy(name: str) -> bool:
    """Whether a learner's checkpoints come with a replay buffer (its post_update's data)."""
    return ALGORITHMS[name].off_policy
